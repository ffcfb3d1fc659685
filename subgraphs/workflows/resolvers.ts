/**
 * GraphQL resolvers of the workflows subgraph: runs (with their tasks batched per
 * request), definitions, triggers, and the operator mutations. The Workflow entity
 * resolves by id for other subgraphs; HookEvent and ModelInvocation are references the
 * gateway completes from the hooks and model-metrics subgraphs.
 */
import DataLoader from 'dataloader';

import type { Database } from '../../platform/db/pool';
import type { SubgraphContext } from '../../platform/graphql/subgraph-context';
import type { WorkflowCoordinator } from './coordinator';
import type { DeadLetterQueue } from './dead-letters';
import { createTrigger, findDefinition, listTriggers, saveDefinition } from './definition-store';
import type {
  MutationCancelWorkflowArgs,
  MutationCreateWorkflowTriggerArgs,
  MutationExecuteWorkflowArgs,
  MutationReplayDeadLettersArgs,
  MutationSaveWorkflowDefinitionArgs,
  QueryWorkflowArgs,
  QueryWorkflowDeadLettersArgs,
  QueryWorkflowDefinitionArgs,
  QueryWorkflowsArgs,
} from './generated/resolvers';
import { type StoredRunEvent, findRunEvents } from './run-event-history';
import {
  type TaskState,
  type WorkflowRun,
  type WorkflowStatus,
  findRuns,
  findTasks,
  listRuns,
} from './run-store';
import {
  type GraphQLWorkflow,
  deadLetterToGraphQL,
  definitionToGraphQL,
  runEventToGraphQL,
  taskToGraphQL,
  triggerToGraphQL,
  withoutNulls,
  workflowToGraphQL,
} from './views';

export interface ResolverDependencies {
  db: Database;
  coordinator: WorkflowCoordinator;
  deadLetters: DeadLetterQueue;
}

const MAX_PAGE = 100;

interface Loaders {
  runs: DataLoader<string, WorkflowRun | undefined>;
  tasks: DataLoader<string, TaskState[]>;
  events: DataLoader<string, StoredRunEvent[]>;
}

export function createResolvers({ db, coordinator, deadLetters }: ResolverDependencies) {
  // One set of loaders per request: the context object lives exactly as long.
  const loadersByContext = new WeakMap<SubgraphContext, Loaders>();
  const loaders = (context: SubgraphContext): Loaders => {
    let found = loadersByContext.get(context);
    if (!found) {
      found = {
        runs: new DataLoader(async (ids) => {
          const runs = new Map((await findRuns(db, ids)).map((run) => [run.id, run]));
          return ids.map((id) => runs.get(id));
        }),
        tasks: new DataLoader(async (ids) => {
          const tasks = await findTasks(db, ids);
          return ids.map((id) => tasks.filter((task) => task.workflowId === id));
        }),
        events: new DataLoader(async (ids) => {
          const events = await findRunEvents(db, ids);
          return ids.map((id) => events.get(id) ?? []);
        }),
      };
      loadersByContext.set(context, found);
    }
    return found;
  };
  const loadWorkflow = async (id: string, context: SubgraphContext) => {
    if (!isUuid(id)) return null;
    const run = await loaders(context).runs.load(id);
    return run ? workflowToGraphQL(run) : null;
  };

  return {
    Query: {
      workflow: (_: unknown, { id }: QueryWorkflowArgs, context: SubgraphContext) =>
        loadWorkflow(id, context),
      workflows: async (_: unknown, { filter, first }: QueryWorkflowsArgs) => {
        // No hook event has an id that is not a UUID: such a filter matches nothing.
        if (filter?.hookEventId && !isUuid(filter.hookEventId)) return [];
        const runs = await listRuns(
          db,
          {
            status: filter?.status ? (filter.status.toLowerCase() as WorkflowStatus) : undefined,
            definitionName: filter?.definitionName ?? undefined,
            hookEventId: filter?.hookEventId ?? undefined,
          },
          Math.min(Math.max(first ?? 20, 1), MAX_PAGE),
        );
        return runs.map(workflowToGraphQL);
      },
      workflowDefinition: async (_: unknown, { name, version }: QueryWorkflowDefinitionArgs) => {
        const stored = await findDefinition(db, name, version ?? undefined);
        return stored ? definitionToGraphQL(stored) : null;
      },
      workflowTriggers: async () => (await listTriggers(db)).map(triggerToGraphQL),
      workflowDeadLetters: async (_: unknown, { first }: QueryWorkflowDeadLettersArgs) =>
        (await deadLetters.list(Math.min(Math.max(first ?? 20, 1), MAX_PAGE))).map(
          deadLetterToGraphQL,
        ),
    },

    Mutation: {
      executeWorkflow: async (
        _: unknown,
        { input }: MutationExecuteWorkflowArgs,
        context: SubgraphContext,
      ) => {
        const { run } = await coordinator.execute({
          definitionName: input.definitionName ?? undefined,
          definition: input.definition ? withoutNulls(input.definition) : undefined,
          input: input.input ?? {},
          workflowId: input.workflowId ?? undefined,
          correlationId: correlationIdOf(context),
        });
        return { workflowId: run.id, status: 'started', workflow: workflowToGraphQL(run) };
      },
      saveWorkflowDefinition: async (_: unknown, { input }: MutationSaveWorkflowDefinitionArgs) =>
        definitionToGraphQL(await saveDefinition(db, withoutNulls(input))),
      createWorkflowTrigger: async (_: unknown, { input }: MutationCreateWorkflowTriggerArgs) =>
        triggerToGraphQL(await createTrigger(db, input)),
      cancelWorkflow: async (_: unknown, { id }: MutationCancelWorkflowArgs) =>
        workflowToGraphQL(await coordinator.cancel(id)),
      replayDeadLetters: async (_: unknown, { limit }: MutationReplayDeadLettersArgs) => {
        const { replayed } = await deadLetters.replay(Math.min(Math.max(limit ?? 100, 1), 1_000));
        return { replayed };
      },
    },

    Workflow: {
      __resolveReference: (reference: { id: string }, context: SubgraphContext) =>
        loadWorkflow(reference.id, context),
      hookEvent: (workflow: GraphQLWorkflow) =>
        workflow.hookEventId ? { __typename: 'HookEvent', id: workflow.hookEventId } : null,
      tasks: async (workflow: GraphQLWorkflow, _: unknown, context: SubgraphContext) =>
        (await loaders(context).tasks.load(workflow.id)).map(taskToGraphQL),
      events: async (workflow: GraphQLWorkflow, _: unknown, context: SubgraphContext) =>
        (await loaders(context).events.load(workflow.id)).map(runEventToGraphQL),
    },

    WorkflowEvent: {
      workflow: (event: { workflowId: string }, _: unknown, context: SubgraphContext) =>
        loadWorkflow(event.workflowId, context),
    },
  };
}

/** The caller's X-Correlation-Id when it is a sane token, else this request's id. */
function correlationIdOf(context: SubgraphContext): string {
  const header = context.headers['x-correlation-id'];
  return header !== undefined && /^[\w.:-]{1,128}$/.test(header) ? header : context.requestId;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUuid(value: string): boolean {
  return UUID.test(value);
}
