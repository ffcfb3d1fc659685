import { AppError } from '../../../platform/errors';
import { parseDefinition } from '../../../subgraphs/workflows/definition';
import { backoffMs, resolveRetryPolicy } from '../../../subgraphs/workflows/retry-policy';
import { TemplateError, renderTemplate } from '../../../subgraphs/workflows/template';

function problemsOf(raw: unknown): string[] {
  try {
    parseDefinition(raw);
  } catch (error) {
    if (error instanceof AppError) return error.details['problems'] as string[];
    throw error;
  }
  return [];
}

describe('parseDefinition', () => {
  it('accepts a DAG in either spelling and defaults dependsOn', () => {
    const definition = parseDefinition({
      name: 'ok',
      tasks: [
        { id: 'a', type: 'transform', input: { x: '{{input.x}}' } },
        { id: 'b', type: 'delay', input: { duration_ms: 5 }, depends_on: ['a'], timeout_ms: 50 },
        { id: 'c', type: 'transform', dependsOn: ['b'], input: '{{tasks.a.output.x}}' },
      ],
    });
    expect(definition.tasks.map((task) => [task.id, task.dependsOn])).toEqual([
      ['a', []],
      ['b', ['a']],
      ['c', ['b']],
    ]);
    expect(definition.tasks[1]?.timeoutMs).toBe(50);
  });

  it('names every problem with its task', () => {
    expect(
      problemsOf({
        name: 'bad',
        tasks: [
          { id: 'a', type: 'transform' },
          { id: 'a', type: 'nope' },
          { id: 'm', type: 'model_inference', input: { input: 'x' } },
          { id: 'd', type: 'delay', input: {} },
        ],
      }),
    ).toEqual([
      'task a: duplicate task id',
      'task a: unknown type "nope" (expected one of model_inference, transform, http, delay)',
      'task m: input.task_type: Required',
      'task d: input.duration_ms: Required',
    ]);
  });

  it('reports a cycle along its path and malformed templates', () => {
    expect(
      problemsOf({
        name: 'cyc',
        tasks: [
          { id: 'a', type: 'transform', dependsOn: ['b'] },
          { id: 'b', type: 'transform', dependsOn: ['a'] },
        ],
      }),
    ).toEqual(['dependency cycle: a -> b -> a']);
    expect(
      problemsOf({ name: 't', tasks: [{ id: 'a', type: 'transform', input: 'x {{input.y' }] }),
    ).toEqual(['task a: bad template: input: unclosed template in "x {{input.y"']);
  });
});

describe('renderTemplate', () => {
  const scope = {
    input: { n: 3 },
    event: { data: { text: 'hi' } },
    tasks: { a: { output: { list: [1] } } },
  };

  it('keeps the type of a whole reference and interpolates inside text', () => {
    expect(
      renderTemplate({ n: '{{input.n}}', s: 'n={{input.n}} {{event.data.text}}' }, scope),
    ).toEqual({
      n: 3,
      s: 'n=3 hi',
    });
    expect(renderTemplate(['{{tasks.a.output.list}}'], scope)).toEqual([[1]]);
  });

  it('refuses a reference with no value', () => {
    expect(() => renderTemplate('{{input.missing}}', scope)).toThrow(TemplateError);
  });
});

describe('retry policy', () => {
  it('defaults by task type and backs off exponentially with bounded jitter', () => {
    const policy = resolveRetryPolicy(
      { type: 'http', input: {}, retry: { initialBackoffMs: 100, maxBackoffMs: 350 } },
      { modelInferenceTimeoutMs: 1_000 },
    );
    expect(policy).toEqual({
      maxAttempts: 3,
      initialBackoffMs: 100,
      maxBackoffMs: 350,
      timeoutMs: 30_000,
    });
    expect([2, 3, 4, 5].map((attempt) => backoffMs(policy, attempt, () => 0))).toEqual([
      50, 100, 175, 175,
    ]);
    expect([2, 3, 4, 5].map((attempt) => backoffMs(policy, attempt, () => 1))).toEqual([
      100, 200, 350, 350,
    ]);
    expect(
      resolveRetryPolicy({ type: 'transform', input: 1 }, { modelInferenceTimeoutMs: 1 })
        .maxAttempts,
    ).toBe(1);
  });
});
