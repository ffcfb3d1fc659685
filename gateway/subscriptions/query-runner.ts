/**
 * How subscription resolvers read data: a query document executed through the gateway's
 * federated executor with the subscriber's own identity, so the same permissions apply.
 */
import { type DocumentNode, GraphQLError } from 'graphql';

import type { GatewayContext } from '../gateway-context';

/** Executes a query document through the federated gateway. */
export type QueryRunner = (
  document: DocumentNode,
  variables: Record<string, unknown>,
  context: GatewayContext,
) => Promise<{
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ message: string }>;
}>;

/** Its data; errors become one SUBGRAPH_ERROR, as a partial answer is no event to send. */
export async function queryData(
  runQuery: QueryRunner,
  document: DocumentNode,
  variables: Record<string, unknown>,
  context: GatewayContext,
): Promise<Record<string, unknown> | null | undefined> {
  const result = await runQuery(document, variables, context);
  if (result.errors?.length) {
    throw new GraphQLError(result.errors.map((error) => error.message).join('; '), {
      extensions: { code: 'SUBGRAPH_ERROR' },
    });
  }
  return result.data;
}
