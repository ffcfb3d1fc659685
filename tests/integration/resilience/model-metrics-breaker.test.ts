// Response bodies are read field by field in assertions; typing each would add nothing.
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Flow 4 end to end on the real PostgreSQL and Kafka: a workflows service calling a
 * model-metrics stand-in that answers 500. The breaker opens after 5 consecutive failures
 * (and says so to a stub Alertmanager), model_inference tasks answer degraded from the
 * cache or the local model, the health monitor closes the breaker once the stand-in
 * recovers (the recovery reaches the Alertmanager as a resolved alert), and in STRICT
 * mode an execute request is refused with 503 and Retry-After.
 */
import { ApiKeyStore, PERMISSIONS } from '../../../platform/auth/api-keys';
import { createDatabase } from '../../../platform/db/pool';
import { createLogger } from '../../../platform/logger';
import { type Runtime, createRuntime } from '../../../platform/runtime';
import type { Service } from '../../../platform/service';
import { createWorkflowsService } from '../../../subgraphs/workflows/service';
import { createTestDatabase, realServersConfig } from '../../support/environment';
import { AlertmanagerStub, ModelMetricsStub, eventually } from './support/http-stubs';

jest.setTimeout(30_000);

const sentimentOf = (text: string, maxAttempts = 3) => ({
  name: 'sentiment-check',
  tasks: [
    {
      id: 'score',
      type: 'model_inference',
      input: { task_type: 'sentiment', input: text },
      retry: { max_attempts: maxAttempts, initial_backoff_ms: 5, max_backoff_ms: 10 },
    },
  ],
});

describe('model-metrics circuit breaker and degradation', () => {
  let database: { url: string; drop(): Promise<void> };
  const modelMetrics = new ModelMetricsStub();
  const alertmanager = new AlertmanagerStub();
  const runtimes: Runtime[] = [];
  const services: Service[] = [];
  let apiKey: string;

  async function startWorkflows(env: Record<string, string>): Promise<Service> {
    const config = realServersConfig(database.url, {
      MODEL_METRICS_URL: await modelMetricsUrl,
      ALERTMANAGER_URL: await alertmanagerUrl,
      // Long enough that only the health monitor can end it within the test.
      CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS: '60000',
      HEALTH_MONITOR_INTERVAL_MS: '100',
      ...env,
    });
    const runtime = await createRuntime(config, createLogger({ level: config.logLevel }));
    runtimes.push(runtime);
    const service = await createWorkflowsService(runtime);
    await service.start();
    services.push(service);
    return service;
  }

  const rest = async (service: Service, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: {
        'x-api-key': apiKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: (await response.json()) as any,
    };
  };

  const runToEnd = async (service: Service, definition: unknown) => {
    const started = await rest(service, 'POST', '/api/v1/workflows/execute', { definition });
    expect(started.status).toBe(200);
    return eventually(async () => {
      const { body } = await rest(
        service,
        'GET',
        `/api/v1/workflows/${started.body.workflow_id}/status`,
      );
      return ['completed', 'failed'].includes(body.status) ? body : undefined;
    }, 'the run to finish');
  };

  let modelMetricsUrl: Promise<string>;
  let alertmanagerUrl: Promise<string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    modelMetricsUrl = modelMetrics.start();
    alertmanagerUrl = alertmanager.start();
    await startWorkflows({});
    const db = createDatabase({ url: database.url, max: 1 }, createLogger({ level: 'silent' }));
    apiKey = (await new ApiKeyStore(db).create({ name: 'test', permissions: PERMISSIONS })).key;
    await db.end();
  });

  afterAll(async () => {
    for (const service of services.reverse()) await service.stop();
    for (const runtime of runtimes) await runtime.stop();
    await modelMetrics.stop();
    await alertmanager.stop();
    await database.drop();
  });

  it('opens after 5 failures, degrades, fails fast, and closes when the dependency recovers', async () => {
    const [service] = services as [Service];

    // A healthy call first: its answer becomes the cached fallback for the same input.
    const healthy = await runToEnd(service, sentimentOf('I love this'));
    expect(healthy).toMatchObject({ status: 'completed', degraded: false });

    modelMetrics.inferStatus = 500;
    modelMetrics.healthStatus = 503;
    const fromCache = await runToEnd(service, sentimentOf('I love this'));
    expect(fromCache).toMatchObject({ status: 'completed', degraded: true });
    const cachedOutput = fromCache.tasks[0].output;
    expect(cachedOutput).toMatchObject({ degraded: true, source: 'cache', result: { score: 42 } });
    expect(cachedOutput.message).toMatch(/model-metrics failed on every attempt/);
    expect(modelMetrics.inferences).toHaveLength(4);

    // Two more failures make five in a row: the breaker opens and the third attempt is not sent.
    const fromLocalModel = await runToEnd(service, sentimentOf('terrible awful day'));
    expect(fromLocalModel).toMatchObject({ status: 'completed', degraded: true });
    expect(fromLocalModel.tasks[0].output).toMatchObject({
      source: 'local_model',
      model: 'afinn-sentiment',
    });
    expect(fromLocalModel.tasks[0].output.result.label).toBe('negative');
    expect(fromLocalModel.tasks[0].output.message).toMatch(/circuit breaker is open/);
    expect(modelMetrics.inferences).toHaveLength(6);

    const health = (await (await fetch(`${service.url}/health`)).json()) as any;
    expect(health.dependencies.circuit_breakers['model-metrics']).toMatchObject({
      state: 'OPEN',
      failure_threshold: 5,
    });
    expect(await (await fetch(`${service.url}/metrics`)).text()).toMatch(
      /circuit_breaker_state\{breaker="model-metrics"[^}]*\} 2/,
    );
    const opened = await eventually(
      () => alertmanager.named('circuit_breaker_open')[0],
      'the open alert',
    );
    expect(opened.labels).toMatchObject({
      breaker: 'model-metrics',
      service: 'workflows',
      severity: 'critical',
    });
    expect(opened.endsAt).toBeUndefined();

    // While open, nothing reaches model-metrics: the run completes degraded at once.
    const startedAt = Date.now();
    const fastFailed = await runToEnd(service, sentimentOf('another input', 1));
    expect(fastFailed).toMatchObject({ status: 'completed', degraded: true });
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(modelMetrics.inferences).toHaveLength(6);

    // Recovery: the monitor sees /health answer 200, half-opens, its trial closes the breaker.
    modelMetrics.inferStatus = 200;
    modelMetrics.healthStatus = 200;
    const resolved = await eventually(
      () => alertmanager.named('circuit_breaker_open').find((alert) => alert.endsAt !== undefined),
      'the recovery alert',
    );
    expect(resolved.labels['breaker']).toBe('model-metrics');
    expect(resolved.annotations['summary']).toMatch(/recovered/);
    const recovered = (await (await fetch(`${service.url}/health`)).json()) as any;
    expect(recovered.dependencies.circuit_breakers['model-metrics'].state).toBe('CLOSED');

    const normal = await runToEnd(service, sentimentOf('back to normal'));
    expect(normal).toMatchObject({ status: 'completed', degraded: false });

    // The alerts are listed for admins.
    const listed = await rest(service, 'GET', '/admin/v1/alerts');
    expect(listed.status).toBe(200);
    expect(listed.body.recent.map((alert: any) => alert.status)).toEqual(
      expect.arrayContaining(['firing', 'resolved']),
    );
  });

  it('STRICT: a run fails with a clear error and execute answers 503 with Retry-After', async () => {
    const strict = await startWorkflows({ MODEL_METRICS_DEGRADATION: 'strict' });
    // Down for real, /health included: a healthy /health (left by the recovery test) lets
    // the health monitor half-open the breaker before the refused execute below.
    modelMetrics.inferStatus = 500;
    modelMetrics.healthStatus = 500;

    const failed = await runToEnd(strict, sentimentOf('strict input', 5));
    expect(failed.status).toBe('failed');
    expect(failed.degraded).toBe(false);

    const refused = await rest(strict, 'POST', '/api/v1/workflows/execute', {
      definition: sentimentOf('refused'),
    });
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({
      error: 'DEPENDENCY_UNAVAILABLE',
      dependency: 'model-metrics',
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

    // Runs that do not need model-metrics are not refused.
    const transform = await rest(strict, 'POST', '/api/v1/workflows/execute', {
      definition: { name: 'plain', tasks: [{ id: 'copy', type: 'transform', input: { a: 1 } }] },
    });
    expect(transform.status).toBe(200);
  });
});
