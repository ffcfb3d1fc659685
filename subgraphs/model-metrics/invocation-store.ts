/**
 * model_invocations: writes one row per model call and answers the statistics queries.
 * Percentiles are computed by PostgreSQL with percentile_cont over the raw rows, so they
 * are exact (interpolated between the two nearest values), not bucket estimates.
 */
import type { Queryable } from '../../platform/db/pool';
import { asDatabaseError } from '../../platform/db/pool';

export type InvocationOutcome = 'success' | 'error';

export interface InvocationRecord {
  id: string;
  model: string;
  provider: string;
  taskType: string;
  latencyMs: number;
  inputUnits: number;
  outputUnits: number;
  cost: number;
  outcome: InvocationOutcome;
  errorClass: string | null;
  workflowId: string | null;
  taskId: string | null;
  createdAt: Date;
}

export interface StatsFilter {
  taskType?: string | null | undefined;
  model?: string | null | undefined;
  windowSeconds: number;
}

export interface ModelTaskStats {
  model: string;
  taskType: string;
  count: number;
  errorRate: number;
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p99LatencyMs: number | null;
  /** Invocations per second over the window. */
  throughput: number;
  meanCost: number;
}

interface InvocationRow {
  id: string;
  model: string;
  provider: string;
  task_type: string;
  latency_ms: number;
  input_units: number;
  output_units: number;
  cost: number;
  outcome: InvocationOutcome;
  error_class: string | null;
  workflow_id: string | null;
  task_id: string | null;
  created_at: Date;
}

interface PendingWrite {
  invocation: InvocationRecord;
  resolve(): void;
  reject(error: unknown): void;
}

/** Rows one INSERT carries at most. */
const MAX_BATCH_ROWS = 256;

const COLUMNS =
  'id, model, provider, task_type, latency_ms, input_units, output_units, cost, outcome, error_class, workflow_id, task_id, created_at';

/** The same columns, of the lateral subquery `recent` (pair also has model and task_type). */
const RECENT_COLUMNS = COLUMNS.split(', ')
  .map((column) => `recent.${column}`)
  .join(', ');

export class InvocationStore {
  constructor(private readonly db: Queryable) {}

  /**
   * Resolves once the row is committed. Rows recorded while a write is in flight go out
   * together in the next one (group commit): under load one INSERT carries many rows,
   * while a lone call is written at once, with no added delay.
   */
  record(invocation: InvocationRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ invocation, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private readonly pending: PendingWrite[] = [];
  private flushing = false;

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, MAX_BATCH_ROWS);
      try {
        await this.insert(batch.map((write) => write.invocation));
        for (const write of batch) write.resolve();
      } catch (error) {
        const failure = asDatabaseError(error);
        for (const write of batch) write.reject(failure);
      }
    }
    this.flushing = false;
  }

  private async insert(rows: InvocationRecord[]): Promise<void> {
    const column = <T>(pick: (row: InvocationRecord) => T) => rows.map(pick);
    await this.db.query(
      `INSERT INTO model_invocations (${COLUMNS})
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::int[],
                            $7::int[], $8::float8[], $9::text[], $10::text[], $11::uuid[], $12::text[],
                            $13::timestamptz[])`,
      [
        column((row) => row.id),
        column((row) => row.model),
        column((row) => row.provider),
        column((row) => row.taskType),
        column((row) => row.latencyMs),
        column((row) => row.inputUnits),
        column((row) => row.outputUnits),
        column((row) => row.cost),
        column((row) => row.outcome),
        column((row) => row.errorClass),
        column((row) => row.workflowId),
        column((row) => row.taskId),
        column((row) => row.createdAt),
      ],
    );
  }

  /** Rows for the given ids, in no particular order; ids that are not UUIDs match nothing. */
  async findByIds(ids: readonly string[]): Promise<InvocationRecord[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    try {
      const result = await this.db.query<InvocationRow>(
        `SELECT ${COLUMNS} FROM model_invocations WHERE id = ANY($1::uuid[])`,
        [valid],
      );
      return result.rows.map(fromRow);
    } catch (error) {
      throw asDatabaseError(error);
    }
  }

  /** One row per (model, task type) with calls in the window, ordered by model then task type. */
  async stats(filter: StatsFilter): Promise<ModelTaskStats[]> {
    try {
      const result = await this.db.query<{
        model: string;
        task_type: string;
        count: number;
        errors: number;
        p50: number | null;
        p95: number | null;
        p99: number | null;
        mean_cost: number;
      }>(
        `SELECT model, task_type,
                count(*)::int AS count,
                count(*) FILTER (WHERE outcome = 'error')::int AS errors,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99,
                avg(cost) AS mean_cost
           FROM model_invocations
          WHERE created_at > now() - make_interval(secs => $1)
            AND ($2::text IS NULL OR task_type = $2)
            AND ($3::text IS NULL OR model = $3)
          GROUP BY model, task_type
          ORDER BY model, task_type`,
        [filter.windowSeconds, filter.taskType ?? null, filter.model ?? null],
      );
      return result.rows.map((row) => ({
        model: row.model,
        taskType: row.task_type,
        count: row.count,
        errorRate: row.errors / row.count,
        p50LatencyMs: row.p50,
        p95LatencyMs: row.p95,
        p99LatencyMs: row.p99,
        throughput: row.count / filter.windowSeconds,
        meanCost: row.mean_cost,
      }));
    } catch (error) {
      throw asDatabaseError(error);
    }
  }

  /** The newest `perModel` calls of each (model, task type), newest first: seeds model selection. */
  /**
   * The latest `perPair` calls (of the last day) of each (model, task type) pair, newest
   * first: one index range scan per pair (model_invocations_model_time), however large
   * the table.
   */
  async recent(
    pairs: ReadonlyArray<{ model: string; taskType: string }>,
    perPair: number,
  ): Promise<InvocationRecord[]> {
    try {
      const result = await this.db.query<InvocationRow>(
        `SELECT ${RECENT_COLUMNS} FROM unnest($1::text[], $2::text[]) AS pair(model, task_type)
         CROSS JOIN LATERAL (
           SELECT * FROM model_invocations i
           WHERE i.model = pair.model AND i.task_type = pair.task_type
             AND i.created_at > now() - interval '1 day'
           ORDER BY i.created_at DESC LIMIT $3
         ) recent
         ORDER BY recent.created_at DESC`,
        [pairs.map((pair) => pair.model), pairs.map((pair) => pair.taskType), perPair],
      );
      return result.rows.map(fromRow);
    } catch (error) {
      throw asDatabaseError(error);
    }
  }
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}

function fromRow(row: InvocationRow): InvocationRecord {
  return {
    id: row.id,
    model: row.model,
    provider: row.provider,
    taskType: row.task_type,
    latencyMs: row.latency_ms,
    inputUnits: row.input_units,
    outputUnits: row.output_units,
    cost: row.cost,
    outcome: row.outcome,
    errorClass: row.error_class,
    workflowId: row.workflow_id,
    taskId: row.task_id,
    createdAt: row.created_at,
  };
}
