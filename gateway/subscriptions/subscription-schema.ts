/**
 * The schema the gateway serves: the supergraph's API schema, with the Subscription
 * fields wired to the Kafka-fed event hub. Queries and mutations never use these
 * resolvers (they run through the federated executor); only subscription events do.
 *
 * An event carries the WorkflowEvent scalar fields. Its `workflow` field is not in the
 * event: it is fetched for each event through the gateway's own federated executor,
 * with the subscriber's selection set, so a subscriber can select fields of any subgraph.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  Kind,
  OperationTypeNode,
  type SelectionSetNode,
  buildASTSchema,
  isObjectType,
  parse,
  printSchema,
  visit,
} from 'graphql';

import { AppError } from '../../platform/errors';
import { isCompletion } from '../../platform/events/workflow-events';
import { GatewayErrors } from '../errors';
import type { GatewayContext } from '../gateway-context';
import { hookEventHistory, runHistory } from './event-history';
import { type QueryRunner, queryData } from './query-runner';
import { replayThenLive } from './replay-then-live';
import type { WorkflowEventHub, WorkflowEventPayload } from './workflow-event-hub';

export interface SubscriptionSchemaOptions {
  hub: WorkflowEventHub;
  runQuery: QueryRunner;
}

export function buildGatewaySchema(
  apiSchema: GraphQLSchema,
  options: SubscriptionSchemaOptions,
): GraphQLSchema {
  // A private copy: the gateway keeps using its own schema object for planning.
  const schema = buildASTSchema(parse(printSchema(apiSchema)));
  const subscription = schema.getSubscriptionType();
  if (!subscription) return schema;

  // Objects below an event's `workflow` come from the gateway's result, keyed by response
  // name (alias), not by field name: read them that way.
  const byResponseKey: GraphQLFieldResolver<Record<string, unknown>, unknown> = (
    source,
    _args,
    _context,
    info,
  ) => source[info.path.key as string];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || type === subscription) continue;
    if (type.name === 'WorkflowEvent') continue;
    for (const field of Object.values(type.getFields())) field.resolve = byResponseKey;
  }

  const fields = subscription.getFields();
  const workflowEvents = fields['workflowEvents'];
  if (workflowEvents) {
    workflowEvents.subscribe = (_source, args: WorkflowEventsArgs, context: GatewayContext) =>
      subscribeToWorkflowEvents(options, args, context);
    workflowEvents.resolve = (payload: WorkflowEventPayload) => payload;
  }
  const workflowCompletions = fields['workflowCompletions'];
  if (workflowCompletions) {
    workflowCompletions.subscribe = () => options.hub.listen((event) => isCompletion(event.type));
    workflowCompletions.resolve = (payload: WorkflowEventPayload) => payload;
  }

  const eventType = schema.getType('WorkflowEvent');
  const workflowField = isObjectType(eventType) ? eventType.getFields()['workflow'] : undefined;
  if (workflowField) {
    workflowField.resolve = (payload: WorkflowEventPayload, _args, context: GatewayContext, info) =>
      fetchWorkflow(options.runQuery, payload.workflowId, context, info);
  }
  return schema;
}

interface WorkflowEventsArgs {
  workflowId?: string;
  hookEventId?: string;
  after?: string;
}

function subscribeToWorkflowEvents(
  options: SubscriptionSchemaOptions,
  args: WorkflowEventsArgs,
  context: GatewayContext,
): AsyncIterableIterator<WorkflowEventPayload> {
  const { workflowId, hookEventId, after } = args;
  if (!workflowId && !hookEventId) {
    throw new AppError(
      GatewayErrors.SUBSCRIPTION_ARGUMENTS,
      'workflowEvents needs workflowId or hookEventId.',
    ).toGraphQLError();
  }
  const live = options.hub.listen(
    (event) =>
      (workflowId === undefined || event.workflowId === workflowId) &&
      (hookEventId === undefined || event.hookEventId === hookEventId),
  );
  if (workflowId !== undefined) {
    return replayThenLive(
      live,
      () => runHistory(options.runQuery, context, workflowId, hookEventId),
      { after, endsWithCompletion: true },
    );
  }
  return replayThenLive(
    live,
    () => hookEventHistory(options.runQuery, context, hookEventId as string),
    { after, endsWithCompletion: false },
  );
}

async function fetchWorkflow(
  runQuery: QueryRunner,
  workflowId: string,
  context: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<unknown> {
  const field = info.fieldNodes[0] as FieldNode;
  if (!field.selectionSet) return null;
  const data = await queryData(
    runQuery,
    workflowQuery(field.selectionSet, info),
    { ...info.variableValues, __workflowId: workflowId },
    context,
  );
  return data?.['workflow'] ?? null;
}

/**
 * `query { workflow(id: $__workflowId) { <the subscriber's selection> } }`, with the
 * subscription's variables and fragments, and __typename on every selection set so
 * abstract types resolve from the gateway's result.
 */
function workflowQuery(selectionSet: SelectionSetNode, info: GraphQLResolveInfo): DocumentNode {
  const withTypenames = visit(selectionSet, {
    SelectionSet: (node) => ({
      ...node,
      selections: [
        ...node.selections,
        { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } },
      ],
    }),
  }) as SelectionSetNode;
  const fragments: FragmentDefinitionNode[] = Object.values(info.fragments);
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        name: { kind: Kind.NAME, value: 'SubscriptionEventWorkflow' },
        variableDefinitions: [
          {
            kind: Kind.VARIABLE_DEFINITION,
            variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: '__workflowId' } },
            type: {
              kind: Kind.NON_NULL_TYPE,
              type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } },
            },
          },
          ...(info.operation.variableDefinitions ?? []),
        ],
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            {
              kind: Kind.FIELD,
              name: { kind: Kind.NAME, value: 'workflow' },
              arguments: [
                {
                  kind: Kind.ARGUMENT,
                  name: { kind: Kind.NAME, value: 'id' },
                  value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: '__workflowId' } },
                },
              ],
              selectionSet: withTypenames,
            },
          ],
        },
      },
      ...fragments,
    ],
  };
}
