/**
 * The envelop plugin that limits GraphQL operations where everything is known: after
 * parse and validate (document limits are validation rules, the token limit a parse
 * option), before execution. It estimates the cost, refuses an operation over the
 * per-request maximum without any call, then takes one store decision for every tier.
 * After execution it measures the actual cost, refunds the difference and reports both
 * in `extensions.cost`:
 *
 *   { requestedQueryCost, actualQueryCost, maximumQueryCost,
 *     throttleStatus: { maximumAvailable, currentlyAvailable, windowSeconds } }
 */
import type { FastifyReply } from 'fastify';
import {
  type ExecutionArgs,
  type ExecutionResult,
  GraphQLError,
  type OperationDefinitionNode,
  type SelectionSetNode,
  Kind,
  type DocumentNode,
  getOperationAST,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

import type { CostModel } from './cost-directives';
import { maxAliasesRule, maxDepthRule, type DocumentLimits } from './document-limits';
import type { EndpointRule } from './endpoint-rules';
import type { AnswerOutcome, Caller, GatewayRateLimiter, Verdict } from './gateway-rate-limiter';
import { CostAnalysisError, actualCost, estimateCost } from './query-cost';

export interface GraphqlRateLimitOptions {
  limiter: GatewayRateLimiter;
  costModel: () => CostModel;
  endpointRules: EndpointRule[];
  maxCost: number;
  defaultListSize: number;
  documentLimits: DocumentLimits;
}

/** The parts of the gateway context this plugin reads (GatewayContext plus yoga's server context). */
interface LimitedContext {
  requestId?: string;
  identity?: { keyId: string };
  req?: { ip?: string; socket?: { remoteAddress?: string } };
  reply?: FastifyReply;
}

const SERVER_ERROR_CODES = new Set([
  'INTERNAL_SERVER_ERROR',
  'SUBGRAPH_UNAVAILABLE',
  'DATABASE_UNAVAILABLE',
  'DEPENDENCY_UNAVAILABLE',
]);

export function useGraphqlRateLimits(options: GraphqlRateLimitOptions): Plugin {
  const { limiter, documentLimits } = options;
  // Made once: yoga's validation cache keys on the rules, and a new closure per request would defeat it.
  const depthRule = maxDepthRule(documentLimits.maxDepth);
  const aliasesRule = maxAliasesRule(documentLimits.maxAliases);
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, parseOptions) =>
        parseFn(source, { ...parseOptions, maxTokens: documentLimits.maxTokens }),
      );
    },
    onValidate({ addValidationRule }) {
      addValidationRule(depthRule);
      addValidationRule(aliasesRule);
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const admission = await admit(options, args);
      if (admission.kind === 'refused') return setResultAndStopExecution(admission.result);
      if (admission.kind === 'not-limited') return undefined;
      const { context, caller, costInput, requested, verdict } = admission;
      setHeaders(context, verdict.headers);
      const charge = verdict.costCharge;
      return {
        onExecuteDone({ result, setResult }) {
          if (!isPlainResult(result)) return;
          limiter.recordOutcome(caller, outcomeOf(result));
          if (!charge) return;
          const actual = Math.min(requested, actualCost(costInput, result.data));
          const refund = requested - actual;
          limiter.refund(caller, charge, refund);
          setResult({
            ...result,
            extensions: {
              ...result.extensions,
              cost: {
                requestedQueryCost: requested,
                actualQueryCost: actual,
                maximumQueryCost: options.maxCost,
                throttleStatus: {
                  maximumAvailable: charge.limit,
                  currentlyAvailable: Math.min(charge.limit, charge.remaining + refund),
                  windowSeconds: 60,
                },
              },
            },
          });
        },
      };
    },
    // A subscription is admitted like a request when it starts (its events are not
    // charged one by one): every tier, and the estimated cost of one event.
    async onSubscribe({ args, setResultAndStopExecution }) {
      const admission = await admit(options, args);
      if (admission.kind === 'refused') setResultAndStopExecution(admission.result);
    },
  };
}

type Admission =
  | { kind: 'not-limited' }
  | { kind: 'refused'; result: ExecutionResult }
  | {
      kind: 'allowed';
      context: LimitedContext;
      caller: Caller;
      costInput: Parameters<typeof estimateCost>[0];
      requested: number;
      verdict: Extract<Verdict, { kind: 'allowed' }>;
    };

/** Estimates the operation's cost and takes the one store decision for every tier. */
async function admit(
  options: GraphqlRateLimitOptions,
  args: Pick<
    ExecutionArgs,
    'schema' | 'document' | 'operationName' | 'variableValues' | 'contextValue'
  >,
): Promise<Admission> {
  const { limiter } = options;
  if (!limiter.enabled) return { kind: 'not-limited' };
  const context = args.contextValue as LimitedContext;
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return { kind: 'not-limited' };
  const caller: Caller = { ip: clientAddress(context), keyId: context.identity?.keyId };
  const costInput = {
    schema: args.schema,
    document: args.document,
    operation,
    variables: (args.variableValues ?? {}) as Record<string, unknown>,
    model: options.costModel(),
    defaultListSize: options.defaultListSize,
  };

  let requested: number;
  try {
    requested = estimateCost(costInput);
  } catch (error) {
    if (error instanceof CostAnalysisError) return { kind: 'refused', result: { errors: [error] } };
    throw error;
  }
  if (requested > options.maxCost) {
    return {
      kind: 'refused',
      result: {
        errors: [
          new GraphQLError(
            `The operation's estimated cost ${requested} is over the maximum of ${options.maxCost} per request; request fewer items or fields.`,
            {
              extensions: {
                code: 'MAX_COST_EXCEEDED',
                cost: { requestedQueryCost: requested, maximumQueryCost: options.maxCost },
              },
            },
          ),
        ],
      },
    };
  }

  const endpoint = endpointOf(options.endpointRules, args.document, operation);
  const verdict = await limiter.decide({
    caller,
    requestId: context.requestId ?? 'unknown',
    cost: requested,
    ...(endpoint ? { endpoint } : {}),
    route: '/graphql',
    ...(operation.name ? { operation: operation.name.value } : {}),
  });

  switch (verdict.kind) {
    case 'limited':
      setHeaders(context, verdict.headers);
      return {
        kind: 'refused',
        result: {
          errors: [
            new GraphQLError(
              `Rate limit exceeded (${verdict.tier}); retry in ${verdict.retryAfterSeconds} s.`,
              {
                extensions: {
                  code: 'RATE_LIMITED',
                  tier: verdict.tier,
                  limit: verdict.limit,
                  retry_after: verdict.retryAfterSeconds,
                  http: { status: 429, headers: verdict.headers },
                },
              },
            ),
          ],
        },
      };
    case 'unavailable':
      return {
        kind: 'refused',
        result: {
          errors: [
            new GraphQLError('Rate limiting is unavailable; retry shortly.', {
              extensions: {
                code: 'RATE_LIMITER_UNAVAILABLE',
                retry_after: verdict.retryAfterSeconds,
                http: {
                  status: 503,
                  headers: { 'retry-after': String(verdict.retryAfterSeconds) },
                },
              },
            }),
          ],
        },
      };
    case 'bypassed':
      return { kind: 'not-limited' };
    case 'allowed':
      return { kind: 'allowed', context, caller, costInput, requested, verdict };
    default: {
      const unreachable: never = verdict;
      throw new Error(`unknown verdict ${String(unreachable)}`);
    }
  }
}

/** The endpoint rule the operation's root fields perform, and how many times. */
function endpointOf(
  rules: EndpointRule[],
  document: DocumentNode,
  operation: OperationDefinitionNode,
): { rule: EndpointRule; units: number } | undefined {
  const rootType =
    operation.operation === 'mutation'
      ? 'Mutation'
      : operation.operation === 'query'
        ? 'Query'
        : 'Subscription';
  const counts = new Map<EndpointRule, number>();
  for (const fieldName of rootFieldNames(document, operation.selectionSet)) {
    const rule = rules.find((candidate) =>
      candidate.graphqlFields.includes(`${rootType}.${fieldName}`),
    );
    if (rule) counts.set(rule, (counts.get(rule) ?? 0) + 1);
  }
  // One endpoint tier per decision: the first rule the operation performs.
  // TODO(issue 7 follow-up): an operation mixing two limited actions is charged only the first.
  const [first] = counts;
  return first ? { rule: first[0], units: first[1] } : undefined;
}

function rootFieldNames(document: DocumentNode, selectionSet: SelectionSetNode): string[] {
  const names: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      names.push(...rootFieldNames(document, selection.selectionSet));
    else {
      const fragment = document.definitions.find(
        (definition) =>
          definition.kind === Kind.FRAGMENT_DEFINITION &&
          definition.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION)
        names.push(...rootFieldNames(document, fragment.selectionSet));
    }
  }
  return names;
}

function clientAddress(context: LimitedContext): string {
  return context.req?.ip ?? context.req?.socket?.remoteAddress ?? 'unknown';
}

function setHeaders(context: LimitedContext, headers: Record<string, string>): void {
  if (!context.reply) return;
  for (const [name, value] of Object.entries(headers)) context.reply.header(name, value);
}

function isPlainResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}

function outcomeOf(result: ExecutionResult): AnswerOutcome {
  if (!result.errors || result.errors.length === 0) return 'success';
  const serverError = result.errors.some((error) =>
    SERVER_ERROR_CODES.has(String(error.extensions?.['code'] ?? 'INTERNAL_SERVER_ERROR')),
  );
  return serverError ? 'server_error' : 'client_error';
}
