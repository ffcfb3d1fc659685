/**
 * Runs queries and mutations through @apollo/gateway's executor (query planning and
 * subgraph fetches) from inside graphql-yoga. Subscriptions never reach this code: the
 * gateway's executor cannot run them, so yoga's own `subscribe` serves them from the
 * schema built in subscriptions/subscription-schema.ts.
 */
import { createHash } from 'node:crypto';

import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
} from '@apollo/server-gateway-interface';
import type { Plugin } from 'graphql-yoga';
import {
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  getOperationAST,
  print,
} from 'graphql';

import type { Logger } from '../platform/logger';
import { type FieldAuthorizer, applyDenials } from './auth/field-authorization';
import type { GatewayContext } from './gateway-context';

const printedDocuments = new WeakMap<DocumentNode, { source: string; hash: string }>();

function printOnce(document: DocumentNode): { source: string; hash: string } {
  let printed = printedDocuments.get(document);
  if (!printed) {
    const source = print(document);
    printed = { source, hash: createHash('sha256').update(source).digest('hex') };
    printedDocuments.set(document, printed);
  }
  return printed;
}

export async function executeFederated(
  executor: GatewayExecutor,
  args: Pick<
    ExecutionArgs,
    'schema' | 'document' | 'operationName' | 'variableValues' | 'contextValue'
  >,
  log: Logger,
): Promise<ExecutionResult> {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) throw new Error('no operation to execute');
  const { source, hash } = printOnce(args.document);
  const requestContext = {
    request: {
      query: source,
      ...(args.operationName ? { operationName: args.operationName } : {}),
      variables: (args.variableValues ?? {}) as Record<string, unknown>,
    },
    document: args.document,
    source,
    queryHash: hash,
    operation,
    operationName: args.operationName ?? operation.name?.value ?? null,
    schema: args.schema,
    schemaHash: hash as GatewayGraphQLRequestContext['schemaHash'],
    context: args.contextValue as GatewayContext,
    logger: log,
    metrics: {},
    // Neither is read by the gateway unless response caching or subgraph Cache-Control
    // hints are enabled, and neither is here.
    cache: undefined as unknown as GatewayGraphQLRequestContext['cache'],
    overallCachePolicy: {},
  } satisfies GatewayGraphQLRequestContext;
  return executor(requestContext);
}

type ExecuteArgs = Pick<
  ExecutionArgs,
  'schema' | 'document' | 'operationName' | 'variableValues' | 'contextValue'
>;

/**
 * Authorization, then federated execution: the fields the caller may not see are taken
 * out of the operation before any subgraph is called and answered as null after.
 */
export async function executeAuthorized(
  executor: GatewayExecutor,
  authorizer: FieldAuthorizer,
  args: ExecuteArgs,
  log: Logger,
): Promise<ExecutionResult> {
  const context = args.contextValue as GatewayContext;
  const verdict = authorizer.authorize(
    args.document,
    args.operationName,
    context.identity?.permissions ?? [],
  );
  if (verdict.kind === 'refused') return { errors: [verdict.error] };
  const result = await executeFederated(executor, { ...args, document: verdict.document }, log);
  return applyDenials(
    result as ExecutionResult & { data?: Record<string, unknown> | null },
    verdict.denials,
  );
}

/** An envelop plugin that swaps graphql-js `execute` for authorized federated execution. */
export function useFederatedExecution(
  current: () => { executor: GatewayExecutor; authorizer: FieldAuthorizer },
  log: Logger,
): Plugin {
  return {
    onExecute({ setExecuteFn }) {
      setExecuteFn((args) => {
        const { executor, authorizer } = current();
        return executeAuthorized(executor, authorizer, args, log);
      });
    },
    // Subscriptions run on the gateway's own schema; a denied field anywhere refuses them.
    onSubscribe({ args, setResultAndStopExecution }) {
      const context = args.contextValue as unknown as GatewayContext;
      const verdict = current().authorizer.authorize(
        args.document,
        args.operationName,
        context.identity?.permissions ?? [],
      );
      if (verdict.kind === 'refused') setResultAndStopExecution({ errors: [verdict.error] });
      else if (verdict.denials.length > 0) {
        setResultAndStopExecution(applyDenials({ data: null }, verdict.denials) as ExecutionResult);
      }
    },
  };
}
