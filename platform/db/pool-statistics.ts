/**
 * Query timing of one pool: a total count and a window of the most recent durations, from
 * which the average and the 95th percentile are read when the pool is sampled.
 */
const WINDOW_SIZE = 1_024;

export interface QueryTimings {
  totalQueries: number;
  avgQueryMs: number;
  p95QueryMs: number;
}

export class QueryTimer {
  private readonly window = new Float64Array(WINDOW_SIZE);
  private next = 0;
  private filled = 0;
  private total = 0;

  record(durationMs: number): void {
    this.window[this.next] = durationMs;
    this.next = (this.next + 1) % WINDOW_SIZE;
    this.filled = Math.min(this.filled + 1, WINDOW_SIZE);
    this.total += 1;
  }

  timings(): QueryTimings {
    if (this.filled === 0) return { totalQueries: this.total, avgQueryMs: 0, p95QueryMs: 0 };
    const recent = Array.from(this.window.subarray(0, this.filled)).sort((a, b) => a - b);
    const sum = recent.reduce((acc, value) => acc + value, 0);
    const p95 = recent[Math.min(recent.length - 1, Math.ceil(recent.length * 0.95) - 1)] ?? 0;
    return {
      totalQueries: this.total,
      avgQueryMs: round(sum / recent.length),
      p95QueryMs: round(p95),
    };
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
