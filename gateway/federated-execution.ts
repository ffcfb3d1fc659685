/**
 * Runs queries and mutations through @apollo/gateway's executor (query planning and
 * subgraph fetches) from inside graphql-yoga. Subscriptions never reach this code: the
 * gateway's executor cannot run them, so yoga's own `subscribe` serves them from the
 * schema built in subscriptions/subscription-schema.ts.
 */
import { createHash } from 'node:crypto';

import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { Plugin } from 'graphql-yoga';
import { type DocumentNode, type ExecutionArgs, type ExecutionResult, getOperationAST, print } from 'graphql';

import type { Logger } from '../platform/logger';
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
  args: Pick<ExecutionArgs, 'schema' | 'document' | 'operationName' | 'variableValues' | 'contextValue'>,
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

/** An envelop plugin that swaps graphql-js `execute` for the federated executor. */
export function useFederatedExecution(executor: () => GatewayExecutor, log: Logger): Plugin {
  return {
    onExecute({ setExecuteFn }) {
      setExecuteFn((args) => executeFederated(executor(), args, log));
    },
  };
}
