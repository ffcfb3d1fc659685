/**
 * Query cost on the project's own supergraph: the cost directives survive composition
 * and give the estimates the IBM cost semantics promise; the actual cost follows the
 * answer's list lengths; document limits refuse deep, alias-heavy and long documents.
 */
import { readFileSync } from 'node:fs';

import { buildASTSchema, getOperationAST, parse, specifiedRules, validate } from 'graphql';

import { costModelFromSupergraph } from '../../../gateway/rate-limit/cost-directives';
import { maxAliasesRule, maxDepthRule } from '../../../gateway/rate-limit/document-limits';
import {
  CostAnalysisError,
  actualCost,
  estimateCost,
} from '../../../gateway/rate-limit/query-cost';
import { adaptiveLimit } from '../../../platform/rate-limit/reputation';
import { SUPERGRAPH_FILE } from '../../../platform/graphql/compose';

const supergraph = readFileSync(SUPERGRAPH_FILE, 'utf8');
const model = costModelFromSupergraph(supergraph);
const schema = buildASTSchema(parse(supergraph), { assumeValidSDL: true });

function costOf(
  query: string,
  variables: Record<string, unknown> = {},
  data?: Record<string, unknown>,
) {
  const document = parse(query);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  const input = { schema, document, operation, variables, model, defaultListSize: 10 };
  return data === undefined ? estimateCost(input) : actualCost(input, data);
}

describe('cost directives in the supergraph', () => {
  it('carries @cost and @listSize from the subgraphs', () => {
    expect(model.weights.get('Mutation.executeWorkflow')).toBe(20);
    expect(model.weights.get('Mutation.infer')).toBe(50);
    expect(model.listSizes.get('Query.hookEvents')).toEqual({
      assumedSize: undefined,
      slicingArguments: ['first'],
      sizedFields: ['edges'],
      requireOneSlicingArgument: true,
    });
  });
});

describe('estimated cost', () => {
  it('multiplies a list by its slicing argument, its default included', () => {
    // workflows(first: n): n * (Workflow 1 + tasks 10 * (WorkflowTask 1 + scalars 0))
    expect(costOf('{ workflows(first: 5) { id tasks { id } } }')).toBe(5 * (1 + 10));
    expect(costOf('{ workflows { id } }')).toBe(20);
    expect(costOf('query ($n: Int) { workflows(first: $n) { id } }', { n: 3 })).toBe(3);
  });

  it('applies a connection size to its sized fields, not to the connection', () => {
    // connection 1 + edges 3 * (edge 1 + node (1 + history 5 * 1)) + pageInfo 1
    const query =
      '{ hookEvents(first: 3) { edges { node { id history { status } } } pageInfo { hasNextPage } } }';
    expect(costOf(query)).toBe(1 + 3 * (1 + (1 + 5)) + 1);
  });

  it('adds the mutation base cost and field weights', () => {
    expect(
      costOf('mutation { executeWorkflow(input: { definitionName: "x" }) { workflowId } }'),
    ).toBe(10 + 20);
    expect(
      costOf(
        'mutation { a: infer(input: { taskType: "t", input: "i" }) { model } b: infer(input: { taskType: "t", input: "i" }) { model } }',
      ),
    ).toBe(10 + 2 * 50);
  });

  it('counts fragments and leaves introspection free', () => {
    expect(costOf('{ ...F __typename } fragment F on Query { models { name } }')).toBe(10);
  });

  it('measures the actual cost from the answer', () => {
    const data = {
      workflows: [
        { id: '1', tasks: [{ id: 'a' }, { id: 'b' }] },
        { id: '2', tasks: [] },
      ],
    };
    expect(costOf('{ workflows(first: 5) { id tasks { id } } }', {}, data)).toBe(2 + 2);
    expect(costOf('{ workflow(id: "x") { id } }', {}, { workflow: null })).toBe(1);
  });

  it('refuses two slicing arguments where one is required', () => {
    const twoSlicing =
      'directive @listSize(slicingArguments: [String!]) on FIELD_DEFINITION type Query { items(first: Int, last: Int): [Int!]! @listSize(slicingArguments: ["first", "last"]) }';
    const document = parse('{ items(first: 1, last: 2) }');
    const input = {
      schema: buildASTSchema(parse(twoSlicing)),
      document,
      operation: getOperationAST(document) as NonNullable<ReturnType<typeof getOperationAST>>,
      variables: {},
      model: costModelFromSupergraph(twoSlicing),
      defaultListSize: 10,
    };
    expect(() => estimateCost(input)).toThrow(CostAnalysisError);
  });
});

describe('document limits', () => {
  const check = (query: string) =>
    validate(schema, parse(query), [...specifiedRules, maxDepthRule(3), maxAliasesRule(2)]).map(
      (error) => error.extensions['code'],
    );

  it('refuses nesting deeper than the limit, through fragments', () => {
    expect(check('{ workflows { hookEvent { id } } }')).toEqual([]);
    expect(check('{ workflows { tasks { invocation { id } } } }')).toEqual(['QUERY_TOO_DEEP']);
    expect(
      check('{ workflows { ...T } } fragment T on Workflow { tasks { invocation { id } } }'),
    ).toEqual(['QUERY_TOO_DEEP']);
  });

  it('refuses more aliases than the limit', () => {
    expect(check('{ a: models { name } b: models { name } }')).toEqual([]);
    expect(check('{ a: models { name } b: models { name } c: models { name } }')).toEqual([
      'TOO_MANY_ALIASES',
    ]);
  });

  it('stops parsing at the token limit', () => {
    expect(() => parse('{ a b c d e }', { maxTokens: 4 })).toThrow(
      /Document contains more th.. 4 tokens/,
    );
  });
});

describe('adaptive limit', () => {
  it('gives 1500 a minute for reputation 0.8 on the base of 1000, bounded by 0.5x and 1.75x', () => {
    expect(adaptiveLimit(1000, 0.8)).toBe(1500);
    expect(adaptiveLimit(1000, 0.4)).toBe(1000);
    expect(adaptiveLimit(1000, 0)).toBe(500);
    expect(adaptiveLimit(1000, 1)).toBe(1750);
    expect(adaptiveLimit(1000, 7)).toBe(1750);
  });
});
