import { randomUUID } from 'node:crypto';

import { createLocalNlpProvider } from '../../../subgraphs/model-metrics/providers/local-nlp';
import { createLocalSentimentProvider } from '../../../subgraphs/model-metrics/providers/local-sentiment';
import { type Provider, ProviderError } from '../../../subgraphs/model-metrics/providers/provider';
import { type Harness, startHarness } from './harness';

const INFER = '/api/v1/model-metrics/infer';

/** A provider whose behaviour each test sets: the service's error paths without a network. */
function scriptedProvider(): Provider & { next: 'fail' | 'hang' | 'throw' } {
  return {
    name: 'scripted',
    models: [{ name: 'scripted-model', taskTypes: ['classify'] }],
    next: 'fail',
    async infer() {
      switch (this.next) {
        case 'fail':
          throw new ProviderError('unavailable', 'vendor answered 503', 'http_503');
        case 'hang':
          return new Promise(() => undefined);
        case 'throw':
          throw new TypeError('bug in provider');
      }
    },
    health: () => ({ state: 'degraded', reason: 'scripted' }),
  };
}

describe('POST /api/v1/model-metrics/infer', () => {
  let harness: Harness;
  let writer: string;
  const scripted = scriptedProvider();

  beforeAll(async () => {
    harness = await startHarness(
      { MODEL_INFERENCE_TIMEOUT_MS: '300' },
      { providers: [createLocalSentimentProvider(), createLocalNlpProvider(), scripted] },
    );
    writer = await harness.keyWith(['metrics:write']);
  });
  afterAll(() => harness.close());

  const infer = (body: unknown, key: string | null = writer) =>
    harness.post(INFER, body, key ? { 'x-api-key': key } : {});

  it('answers a sentiment inference and records it with the workflow and task ids', async () => {
    const workflowId = randomUUID();
    const answer = await infer({
      task_type: 'sentiment',
      input: 'I love this great product',
      workflow_id: workflowId,
      task_id: 'classify-1',
    });

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      result: {
        label: 'positive',
        score: 6,
        comparative: 1.2,
        positive: ['great', 'love'],
        negative: [],
      },
      model: 'afinn-sentiment',
      latency_ms: expect.any(Number),
      usage: { input_units: 5, output_units: 1 },
      invocation_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const rows = await harness.db.query('SELECT * FROM model_invocations WHERE id = $1', [
      answer.body['invocation_id'],
    ]);
    expect(rows.rows[0]).toMatchObject({
      model: 'afinn-sentiment',
      provider: 'local-sentiment',
      task_type: 'sentiment',
      latency_ms: answer.body['latency_ms'],
      input_units: 5,
      output_units: 1,
      outcome: 'success',
      error_class: null,
      workflow_id: workflowId,
      task_id: 'classify-1',
    });
  });

  it('accepts the service key (workflows) as Bearer and an explicit model', async () => {
    const answer = await harness.post(
      INFER,
      { task_type: 'entities', input: 'Angela Merkel visited Paris.', model: 'compromise-nlp' },
      { authorization: `Bearer ${harness.runtime.serviceApiKey}` },
    );
    expect(answer.status).toBe(200);
    expect(answer.body['model']).toBe('compromise-nlp');
    expect(answer.body['result']).toEqual({
      people: ['Angela Merkel'],
      places: ['Paris'],
      organizations: [],
    });
  });

  it('records every one of many concurrent calls (rows written in groups)', async () => {
    const before = await harness.invocationCount();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        infer({ task_type: 'sentiment', input: `good ${i}`, task_id: `burst-${i}` }),
      ),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const ids = answers.map((answer) => answer.body['invocation_id']);
    const stored = await harness.db.query(
      'SELECT task_id FROM model_invocations WHERE id = ANY($1::uuid[])',
      [ids],
    );
    expect(stored.rows.map((row: { task_id: string }) => row.task_id).sort()).toEqual(
      Array.from({ length: 40 }, (_, i) => `burst-${i}`).sort(),
    );
    expect(await harness.invocationCount()).toBe(before + 40);
  });

  describe('refuses, and records nothing', () => {
    let reader: string;
    beforeAll(async () => {
      reader = await harness.keyWith(['metrics:read']);
    });

    const cases: Array<
      [string, () => Promise<{ status: number; body: Record<string, unknown> }>, number, string]
    > = [
      [
        'no API key',
        () => infer({ task_type: 'sentiment', input: 'good' }, null),
        401,
        'INVALID_API_KEY',
      ],
      [
        'an unknown API key',
        () => infer({ task_type: 'sentiment', input: 'good' }, 'onb_not-a-key'),
        401,
        'INVALID_API_KEY',
      ],
      [
        'a key without metrics:write',
        () => infer({ task_type: 'sentiment', input: 'good' }, reader),
        403,
        'INSUFFICIENT_PERMISSIONS',
      ],
      [
        'an unknown task type',
        () => infer({ task_type: 'translate', input: 'good' }),
        400,
        'UNKNOWN_TASK_TYPE',
      ],
      [
        'an unknown model',
        () => infer({ task_type: 'sentiment', input: 'good', model: 'gpt-9' }),
        404,
        'UNKNOWN_MODEL',
      ],
      [
        'a model that does not serve the task',
        () => infer({ task_type: 'sentiment', input: 'good', model: 'compromise-nlp' }),
        400,
        'MODEL_TASK_MISMATCH',
      ],
      ['an empty input', () => infer({ task_type: 'sentiment', input: '' }), 400, 'EMPTY_INPUT'],
      [
        'a blank input',
        () => infer({ task_type: 'sentiment', input: ' \n\t ' }),
        400,
        'EMPTY_INPUT',
      ],
      [
        'an input over 100 KiB',
        () => infer({ task_type: 'sentiment', input: 'a'.repeat(100 * 1024 + 1) }),
        413,
        'INPUT_TOO_LARGE',
      ],
      [
        'a body far over the limit',
        () => infer({ task_type: 'sentiment', input: 'a'.repeat(300 * 1024) }),
        413,
        'PAYLOAD_TOO_LARGE',
      ],
      [
        'a non-string input',
        () => infer({ task_type: 'sentiment', input: { text: 'good' } }),
        400,
        'VALIDATION_FAILED',
      ],
      ['a missing task type', () => infer({ input: 'good' }), 400, 'VALIDATION_FAILED'],
      [
        'a workflow id that is not a UUID',
        () => infer({ task_type: 'sentiment', input: 'good', workflow_id: 'wf-1' }),
        400,
        'VALIDATION_FAILED',
      ],
      [
        'malformed JSON',
        () => harness.post(INFER, '{"task_type": ', { 'x-api-key': writer }),
        400,
        'BAD_REQUEST',
      ],
    ];

    it.each(cases)('%s', async (_name, send, status, code) => {
      const before = await harness.invocationCount();
      const answer = await send();
      expect(answer.status).toBe(status);
      expect(answer.body).toMatchObject({
        error: code,
        message: expect.any(String),
        request_id: expect.any(String),
      });
      expect(await harness.invocationCount()).toBe(before);
    });

    it('names the limit and the accepted task types', async () => {
      const tooLarge = await infer({ task_type: 'sentiment', input: 'é'.repeat(60 * 1024) });
      expect(tooLarge.body).toMatchObject({ max_input_bytes: 102_400, input_bytes: 122_880 });
      const unknown = await infer({ task_type: 'translate', input: 'good' });
      expect(unknown.body['task_types']).toEqual([
        'classify',
        'entities',
        'keywords',
        'sentiment',
        'summarize',
      ]);
    });
  });

  describe('provider failures are answered clearly and recorded as errors', () => {
    const lastRow = async () =>
      (await harness.db.query('SELECT * FROM model_invocations ORDER BY created_at DESC LIMIT 1'))
        .rows[0];

    it('503 with Retry-After for an unavailable provider', async () => {
      scripted.next = 'fail';
      const response = await fetch(`${harness.url}${INFER}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': writer },
        body: JSON.stringify({ task_type: 'classify', input: 'hello', task_id: 't-503' }),
      });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({
        error: 'PROVIDER_UNAVAILABLE',
        error_class: 'http_503',
      });
      expect(await lastRow()).toMatchObject({
        model: 'scripted-model',
        outcome: 'error',
        error_class: 'http_503',
        task_id: 't-503',
      });
    });

    it('504 when the provider does not answer within MODEL_INFERENCE_TIMEOUT_MS', async () => {
      scripted.next = 'hang';
      const answer = await infer({ task_type: 'classify', input: 'hello', task_id: 't-timeout' });
      expect(answer.status).toBe(504);
      expect(answer.body).toMatchObject({ error: 'INFERENCE_TIMEOUT' });
      const row = await lastRow();
      expect(row).toMatchObject({ outcome: 'error', error_class: 'timeout', task_id: 't-timeout' });
      expect(row.latency_ms).toBeGreaterThanOrEqual(290);
    });

    it('500 without leaking internals when a provider has a bug', async () => {
      scripted.next = 'throw';
      const answer = await infer({ task_type: 'classify', input: 'hello', task_id: 't-bug' });
      expect(answer.status).toBe(500);
      expect(answer.body['message']).not.toContain('bug in provider');
      expect(await lastRow()).toMatchObject({
        outcome: 'error',
        error_class: 'internal',
        task_id: 't-bug',
      });
    });
  });

  it('reports the database and each provider on /health', async () => {
    const response = await fetch(`${harness.url}/health`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      status: string;
      dependencies: Record<string, Record<string, unknown>>;
    };
    expect(report.status).toBe('ok');
    expect(report.dependencies['database']).toMatchObject({ status: 'up', critical: true });
    expect(report.dependencies['provider:local-sentiment']).toMatchObject({
      status: 'up',
      critical: false,
      state: 'up',
      models: ['afinn-sentiment'],
    });
    expect(report.dependencies['provider:scripted']).toMatchObject({
      status: 'up',
      state: 'degraded',
    });
  });

  it('exposes the inference latency histogram by model, task type and outcome on /metrics', async () => {
    const text = await (await fetch(`${harness.url}/metrics`)).text();
    expect(text).toMatch(
      /model_inference_duration_seconds_count\{service="model-metrics",model="afinn-sentiment",task_type="sentiment",outcome="success"\} [1-9]/,
    );
    expect(text).toMatch(
      /model_inference_duration_seconds_count\{service="model-metrics",model="scripted-model",task_type="classify",outcome="error"\} 3/,
    );
  });
});
