import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { setTimeout as sleep } from 'node:timers/promises';

import { createModelMetricsService } from '../../../subgraphs/model-metrics/service';
import { uniqueName } from '../../support/environment';
import {
  type ChatCompletionsStandIn,
  startChatCompletionsStandIn,
} from './chat-completions-stand-in';
import { type Harness, startHarness } from './harness';

const INFER = '/api/v1/model-metrics/infer';

describe('HTTP models from a models file, through the service', () => {
  let standIn: ChatCompletionsStandIn;
  let harness: Harness;
  let key: string;

  beforeAll(async () => {
    standIn = await startChatCompletionsStandIn();
    process.env['STAND_IN_API_KEY'] = standIn.apiKey;
    const modelsFile = path.join(tmpdir(), `${uniqueName('models')}.json`);
    writeFileSync(
      modelsFile,
      JSON.stringify({
        selection: { explorationRate: 0.15, minSamples: 3, windowSize: 10 },
        providers: [
          {
            name: 'stand-in',
            baseUrl: standIn.baseUrl,
            apiKeyEnv: 'STAND_IN_API_KEY',
            models: [
              {
                name: 'alpha',
                taskTypes: ['generate'],
                costPerInputUnit: 0.001,
                costPerOutputUnit: 0.002,
              },
              { name: 'beta', taskTypes: ['generate'] },
            ],
          },
        ],
      }),
    );
    let state = 7;
    harness = await startHarness(
      { MODELS_FILE: modelsFile, MODEL_INFERENCE_TIMEOUT_MS: '300' },
      // A seeded generator keeps the exploration of the selection test the same on every run.
      {
        selector: {
          random: () => ((state = (state * 16_807) % 2_147_483_647) - 1) / 2_147_483_646,
        },
      },
    );
    key = await harness.keyWith(['metrics:write']);
  });
  afterAll(async () => {
    await harness.close();
    await standIn.close();
    delete process.env['STAND_IN_API_KEY'];
  });
  beforeEach(() => {
    standIn.behaviour.clear();
    // beta is the slower model: selection prefers alpha while alpha is healthy.
    standIn.behaviour.set('beta', { kind: 'ok', delayMs: 15 });
  });

  const infer = (body: Record<string, unknown>) => harness.post(INFER, body, { 'x-api-key': key });
  const lastRow = async () =>
    (await harness.db.query('SELECT * FROM model_invocations ORDER BY created_at DESC LIMIT 1'))
      .rows[0];

  it('runs a named HTTP model and records tokens and cost', async () => {
    const answer = await infer({ task_type: 'generate', input: 'hello there', model: 'alpha' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      result: { text: 'echo: hello there', finish_reason: 'stop' },
      model: 'alpha',
      usage: { input_units: 12, output_units: 3 },
    });
    expect(await lastRow()).toMatchObject({
      provider: 'stand-in',
      outcome: 'success',
      input_units: 12,
      output_units: 3,
    });
    expect((await lastRow()).cost).toBeCloseTo(12 * 0.001 + 3 * 0.002, 12);
  });

  it.each([
    [{ kind: 'status', status: 500 } as const, 503, 'PROVIDER_UNAVAILABLE', 'http_500'],
    [{ kind: 'status', status: 400 } as const, 502, 'PROVIDER_REJECTED', 'http_400'],
    [{ kind: 'not_json' } as const, 502, 'PROVIDER_BAD_REPLY', 'bad_reply'],
    [{ kind: 'hang' } as const, 504, 'INFERENCE_TIMEOUT', 'timeout'],
  ])('answers %o with %i %s and records it', async (behaviour, status, code, errorClass) => {
    standIn.behaviour.set('alpha', behaviour);
    const answer = await infer({ task_type: 'generate', input: 'hello', model: 'alpha' });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ error: code, model: 'alpha', error_class: errorClass });
    expect(await lastRow()).toMatchObject({
      model: 'alpha',
      outcome: 'error',
      error_class: errorClass,
    });
  });

  it('reports the HTTP provider as down on /health after repeated failures, without failing the service', async () => {
    const response = await fetch(`${harness.url}/health`);
    const report = (await response.json()) as {
      status: string;
      dependencies: Record<string, Record<string, unknown>>;
    };
    expect(response.status).toBe(200);
    expect(report.status).toBe('degraded');
    expect(report.dependencies['provider:stand-in']).toMatchObject({
      status: 'down',
      critical: false,
      error: 'timeout',
    });
  });

  it('moves traffic away from a model that starts failing and back when it recovers', async () => {
    const route = async (calls: number) => {
      const before = new Map(standIn.calls);
      for (let i = 0; i < calls; i += 1) await infer({ task_type: 'generate', input: 'route me' });
      const delta = (model: string) => (standIn.calls.get(model) ?? 0) - (before.get(model) ?? 0);
      return { alpha: delta('alpha'), beta: delta('beta') };
    };

    // Calls naming a model teach the selector too: start from ten healthy calls of each.
    for (let i = 0; i < 10; i += 1) {
      await infer({ task_type: 'generate', input: 'warm up', model: 'alpha' });
      await infer({ task_type: 'generate', input: 'warm up', model: 'beta' });
    }
    expect((await route(40)).alpha).toBeGreaterThan(28);

    standIn.behaviour.set('alpha', { kind: 'status', status: 503 });
    await route(15);
    const failing = await route(40);
    expect(failing.alpha).toBeLessThan(12);

    // Back once exploration calls have replaced alpha's recent failures with successes:
    // how many rounds that takes depends on timing, so allow several.
    standIn.behaviour.delete('alpha');
    let recovered = { alpha: 0, beta: 0 };
    for (let round = 0; round < 6 && recovered.alpha <= 28; round += 1) recovered = await route(40);
    expect(recovered.alpha).toBeGreaterThan(28);
  });

  it('learns from the calls another replica served', async () => {
    // Healthy calls first, so a second replica starting now would prefer alpha.
    for (let i = 0; i < 10; i += 1)
      await infer({ task_type: 'generate', input: 'ok', model: 'alpha' });
    // No exploration: every choice is the best score, so the count below is exact.
    const replica = await createModelMetricsService(harness.runtime, {
      selectionRefreshMs: 200,
      selector: { explorationRate: 0 },
    });
    await replica.start();
    try {
      // The first replica (the harness's) sees alpha fail; this one serves none of those.
      standIn.behaviour.set('alpha', { kind: 'status', status: 503 });
      for (let i = 0; i < 10; i += 1) {
        await infer({ task_type: 'generate', input: 'failing elsewhere', model: 'alpha' });
      }
      await sleep(600);
      const before = standIn.calls.get('alpha') ?? 0;
      for (let i = 0; i < 10; i += 1) {
        const response = await fetch(`${replica.url}${INFER}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({ task_type: 'generate', input: 'route me' }),
        });
        await response.body?.cancel();
      }
      // Learning only from its own calls, it would send alpha its first few.
      expect((standIn.calls.get('alpha') ?? 0) - before).toBe(0);
    } finally {
      await replica.stop();
    }
  });

  it('compares the models of a task type in GraphQL, best first', async () => {
    const { data, errors } = await harness.graphql(
      `{ compareModels(taskType: "generate", windowSeconds: 600) {
          taskType windowSeconds entries { rank score successRate model { name provider } stats { count errorRate p50LatencyMs } }
      } }`,
    );
    expect(errors).toBeUndefined();
    const comparison = data?.['compareModels'] as {
      entries: Array<{
        rank: number;
        score: number;
        model: { name: string };
        stats: { count: number } | null;
      }>;
    };
    expect(comparison.entries.map((entry) => entry.rank)).toEqual([1, 2]);
    expect(comparison.entries.map((entry) => entry.model.name).sort()).toEqual(['alpha', 'beta']);
    expect(comparison.entries[0]?.score).toBeGreaterThanOrEqual(comparison.entries[1]?.score ?? 1);
    expect(comparison.entries.every((entry) => (entry.stats?.count ?? 0) > 0)).toBe(true);
  });
});
