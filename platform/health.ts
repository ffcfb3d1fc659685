/**
 * Dependency health for GET /health. A check that a service cannot work without is
 * `critical`: while it is down the service answers 503. Each check is bounded by a
 * timeout so a hung dependency makes /health report it rather than hang too.
 */
export type DependencyState = 'up' | 'down';

export interface HealthCheck {
  name: string;
  critical: boolean;
  check(): Promise<Record<string, unknown> | void>;
}

export interface DependencyReport {
  status: DependencyState;
  critical: boolean;
  latency_ms: number;
  error?: string;
  [detail: string]: unknown;
}

export interface HealthReport {
  status: 'ok' | 'degraded' | 'down';
  service: string;
  uptime_seconds: number;
  dependencies: Record<string, DependencyReport>;
}

const CHECK_TIMEOUT_MS = 2_000;
const startedAt = Date.now();

export async function checkHealth(service: string, checks: HealthCheck[]): Promise<HealthReport> {
  const results = await Promise.all(checks.map((check) => runCheck(check)));
  const dependencies: Record<string, DependencyReport> = {};
  checks.forEach((check, index) => (dependencies[check.name] = results[index] as DependencyReport));

  const criticalDown = results.some((report) => report.status === 'down' && report.critical);
  const anyDown = results.some((report) => report.status === 'down');
  return {
    status: criticalDown ? 'down' : anyDown ? 'degraded' : 'ok',
    service,
    uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
    dependencies,
  };
}

async function runCheck(check: HealthCheck): Promise<DependencyReport> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)),
        CHECK_TIMEOUT_MS,
      );
    });
    const details = (await Promise.race([check.check(), timeout])) ?? {};
    return { status: 'up', critical: check.critical, latency_ms: elapsed(started), ...details };
  } catch (error) {
    return {
      status: 'down',
      critical: check.critical,
      latency_ms: elapsed(started),
      error: (error as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
