import { randomUUID } from 'node:crypto';

import { type Harness, startHarness } from './harness';

describe('model-metrics GraphQL', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  /** Rows with known latencies, `agoSeconds` in the past. */
  async function insertCalls(
    model: string,
    taskType: string,
    latencies: number[],
    options: { errors?: number; agoSeconds?: number; cost?: number } = {},
  ): Promise<void> {
    for (const [index, latency] of latencies.entries()) {
      const failed = index < (options.errors ?? 0);
      await harness.db.query(
        `INSERT INTO model_invocations
           (id, model, provider, task_type, latency_ms, cost, outcome, error_class, created_at)
         VALUES ($1, $2, 'seeded', $3, $4, $5, $6, $7, now() - make_interval(secs => $8))`,
        [
          randomUUID(),
          model,
          taskType,
          latency,
          options.cost ?? 0,
          failed ? 'error' : 'success',
          failed ? 'http_503' : null,
          options.agoSeconds ?? 1,
        ],
      );
    }
  }

  describe('modelStats', () => {
    beforeAll(async () => {
      // 1..100 ms, ten of them errors; and calls outside the window that must not count.
      await insertCalls(
        'stats-a',
        'classify',
        Array.from({ length: 100 }, (_, i) => i + 1),
        { errors: 10 },
      );
      await insertCalls('stats-a', 'classify', [5_000, 6_000], { agoSeconds: 7_200 });
      await insertCalls('stats-b', 'classify', [10, 40, 20, 30], { cost: 0.5 });
      await insertCalls('stats-b', 'generate', [7]);
    });

    const query = `query ($taskType: String, $model: String, $windowSeconds: Int) {
      modelStats(taskType: $taskType, model: $model, windowSeconds: $windowSeconds) {
        model taskType count errorRate p50LatencyMs p95LatencyMs p99LatencyMs throughput meanCost
      }
    }`;

    it('computes exact interpolated percentiles, error rate and throughput over the window', async () => {
      const { data, errors } = await harness.graphql(query, {
        taskType: 'classify',
        windowSeconds: 3600,
      });
      expect(errors).toBeUndefined();
      const [a, b] = data?.['modelStats'] as Array<Record<string, number | string>>;
      expect(a).toMatchObject({
        model: 'stats-a',
        taskType: 'classify',
        count: 100,
        errorRate: 0.1,
        meanCost: 0,
      });
      // percentile_cont: rank 1 + p * (n - 1), interpolated between neighbours.
      expect(a?.['p50LatencyMs']).toBeCloseTo(50.5, 10);
      expect(a?.['p95LatencyMs']).toBeCloseTo(95.05, 10);
      expect(a?.['p99LatencyMs']).toBeCloseTo(99.01, 10);
      expect(a?.['throughput']).toBeCloseTo(100 / 3600, 12);

      expect(b).toMatchObject({ model: 'stats-b', count: 4, errorRate: 0, meanCost: 0.5 });
      expect(b?.['p50LatencyMs']).toBeCloseTo(25, 10);
      expect(b?.['p95LatencyMs']).toBeCloseTo(38.5, 10);
      expect(b?.['p99LatencyMs']).toBeCloseTo(39.7, 10);
    });

    it('filters by model and widens with the window', async () => {
      const { data } = await harness.graphql(query, { model: 'stats-a', windowSeconds: 3 * 3600 });
      const [a] = data?.['modelStats'] as Array<Record<string, number>>;
      expect(a).toMatchObject({ count: 102, p99LatencyMs: expect.any(Number) });
      expect(a?.['p99LatencyMs']).toBeGreaterThan(1_000);

      const byModel = await harness.graphql(query, { model: 'stats-b' });
      expect(
        (byModel.data?.['modelStats'] as Array<{ taskType: string }>).map((s) => s.taskType),
      ).toEqual(['classify', 'generate']);
    });

    it('answers an empty list, not an error, for a window with no calls', async () => {
      const { data } = await harness.graphql(query, { taskType: 'nothing-here' });
      expect(data?.['modelStats']).toEqual([]);
    });
  });

  describe('infer mutation and entities', () => {
    const inferMutation = `mutation ($input: InferInput!) {
      infer(input: $input) {
        result model latencyMs
        invocation { id provider taskType outcome inputUnits outputUnits workflowId taskId createdAt model { name provider taskTypes } }
      }
    }`;

    it('runs the same inference as REST and records it', async () => {
      const workflowId = randomUUID();
      const { data, errors } = await harness.graphql(inferMutation, {
        input: {
          taskType: 'keywords',
          input: 'The phone is a phone with a camera.',
          workflowId,
          taskId: 'kw',
        },
      });
      expect(errors).toBeUndefined();
      const infer = data?.['infer'] as Record<string, unknown> & {
        invocation: Record<string, unknown>;
      };
      expect(infer['model']).toBe('compromise-nlp');
      expect(infer['result']).toEqual({
        keywords: [
          { keyword: 'phone', count: 2 },
          { keyword: 'camera', count: 1 },
        ],
      });
      expect(infer.invocation).toMatchObject({
        provider: 'local-nlp',
        taskType: 'keywords',
        outcome: 'success',
        inputUnits: 8,
        outputUnits: 2,
        workflowId,
        taskId: 'kw',
        model: {
          name: 'compromise-nlp',
          provider: 'local-nlp',
          taskTypes: ['entities', 'keywords', 'summarize'],
        },
      });
      const stored = await harness.db.query(
        'SELECT task_type, workflow_id FROM model_invocations WHERE id = $1',
        [infer.invocation['id']],
      );
      expect(stored.rows).toEqual([{ task_type: 'keywords', workflow_id: workflowId }]);

      const readBack = await harness.graphql(
        'query ($id: ID!) { modelInvocation(id: $id) { id taskId } }',
        {
          id: infer.invocation['id'],
        },
      );
      expect(readBack.data?.['modelInvocation']).toEqual({
        id: infer.invocation['id'],
        taskId: 'kw',
      });
    });

    it('answers bad requests with the registry codes and records nothing', async () => {
      const before = await harness.invocationCount();
      const unknownTask = await harness.graphql(inferMutation, {
        input: { taskType: 'translate', input: 'hi' },
      });
      expect(unknownTask.errors?.[0]?.extensions?.['code']).toBe('UNKNOWN_TASK_TYPE');
      const unknownModel = await harness.graphql(inferMutation, {
        input: { taskType: 'sentiment', input: 'hi', model: 'nope' },
      });
      expect(unknownModel.errors?.[0]?.extensions?.['code']).toBe('UNKNOWN_MODEL');
      const empty = await harness.graphql(inferMutation, {
        input: { taskType: 'sentiment', input: '' },
      });
      expect(empty.errors?.[0]?.extensions?.['code']).toBe('EMPTY_INPUT');
      expect(await harness.invocationCount()).toBe(before);
    });

    it('resolves ModelInvocation and Model references through _entities', async () => {
      const first = await harness.post(
        '/api/v1/model-metrics/infer',
        { task_type: 'sentiment', input: 'great' },
        { 'x-api-key': harness.runtime.serviceApiKey },
      );
      const second = await harness.post(
        '/api/v1/model-metrics/infer',
        { task_type: 'summarize', input: 'One. Two.' },
        { 'x-api-key': harness.runtime.serviceApiKey },
      );
      const representations = [
        { __typename: 'ModelInvocation', id: first.body['invocation_id'] },
        { __typename: 'Model', name: 'afinn-sentiment' },
        { __typename: 'ModelInvocation', id: randomUUID() },
        { __typename: 'ModelInvocation', id: second.body['invocation_id'] },
        { __typename: 'ModelInvocation', id: 'not-a-uuid' },
        { __typename: 'Model', name: 'no-such-model' },
      ];
      const { data, errors } = await harness.graphql(
        `query ($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on ModelInvocation { id taskType outcome model { name } }
            ... on Model { name provider taskTypes }
          }
        }`,
        { representations },
      );
      expect(errors).toBeUndefined();
      expect(data?.['_entities']).toEqual([
        {
          id: first.body['invocation_id'],
          taskType: 'sentiment',
          outcome: 'success',
          model: { name: 'afinn-sentiment' },
        },
        { name: 'afinn-sentiment', provider: 'local-sentiment', taskTypes: ['sentiment'] },
        null,
        {
          id: second.body['invocation_id'],
          taskType: 'summarize',
          outcome: 'success',
          model: { name: 'compromise-nlp' },
        },
        null,
        null,
      ]);
    });

    it('lists the configured models', async () => {
      const { data } = await harness.graphql('{ models { name provider taskTypes } }');
      expect(data?.['models']).toEqual([
        { name: 'afinn-sentiment', provider: 'local-sentiment', taskTypes: ['sentiment'] },
        {
          name: 'compromise-nlp',
          provider: 'local-nlp',
          taskTypes: ['entities', 'keywords', 'summarize'],
        },
      ]);
    });
  });
});
