/**
 * GraphQL resolvers of the model-metrics subgraph. The `infer` mutation goes through the
 * same InferenceService as the REST route; ModelInvocation references from other
 * subgraphs (a workflow task's `invocation`) are batched per request with a DataLoader.
 */
import DataLoader from 'dataloader';

import type { SubgraphContext } from '../../platform/graphql/subgraph-context';
import type { Resolvers } from './generated/resolvers';
import type { InferenceService } from './inference-service';
import type { InvocationRecord, InvocationStore } from './invocation-store';
import { type ModelCatalog, type ModelView, modelView } from './model-catalog';
import { type ModelSelector, scoreCandidates } from './model-selector';

export interface ResolverDeps {
  inference: InferenceService;
  store: InvocationStore;
  catalog: ModelCatalog;
  selector: ModelSelector;
}

/** Longest window a statistics query may span: 30 days. */
const MAX_WINDOW_SECONDS = 30 * 24 * 3600;

export function createResolvers(deps: ResolverDeps): Resolvers {
  // One loader per GraphQL request (its context object), so batching never crosses requests.
  const loaders = new WeakMap<SubgraphContext, DataLoader<string, InvocationRecord | null>>();
  const invocationLoader = (context: SubgraphContext) => {
    let loader = loaders.get(context);
    if (!loader) {
      loader = new DataLoader(async (ids: readonly string[]) => {
        const rows = new Map((await deps.store.findByIds(ids)).map((row) => [row.id, row]));
        return ids.map((id) => rows.get(id) ?? null);
      });
      loaders.set(context, loader);
    }
    return loader;
  };

  const modelByName = (name: string, recordedProvider?: string): ModelView => {
    const entry = deps.catalog.get(name);
    return entry
      ? modelView(entry)
      : { name, provider: recordedProvider ?? 'unknown', taskTypes: [] };
  };

  return {
    Query: {
      models: () => deps.catalog.entries.map(modelView),
      modelInvocation: (_parent, { id }, context) => invocationLoader(context).load(id),
      modelStats: (_parent, { taskType, model, windowSeconds }) =>
        deps.store.stats({ taskType, model, windowSeconds: clampWindow(windowSeconds) }),
      compareModels: async (_parent, { taskType, windowSeconds }) => {
        const window = clampWindow(windowSeconds);
        const candidates = deps.catalog.forTaskType(taskType);
        const stats = new Map(
          (await deps.store.stats({ taskType, windowSeconds: window })).map((s) => [s.model, s]),
        );
        const scores = scoreCandidates(
          candidates.map(({ model }) => {
            const s = stats.get(model.name);
            return {
              model: model.name,
              samples: s?.count ?? 0,
              successes: s ? Math.round(s.count * (1 - s.errorRate)) : 0,
              medianLatencyMs: s?.p50LatencyMs ?? null,
              meanCost: s?.meanCost ?? 0,
            };
          }),
          deps.selector.weights,
        );
        const entries = scores
          .map((score) => ({
            model: modelByName(score.model),
            stats: stats.get(score.model) ?? null,
            successRate: score.successRate,
            score: score.score,
          }))
          .sort((a, b) => b.score - a.score || a.model.name.localeCompare(b.model.name))
          .map((entry, index) => ({ ...entry, rank: index + 1 }));
        return { taskType, windowSeconds: window, entries };
      },
    },
    Mutation: {
      infer: async (_parent, { input }) => {
        const answer = await deps.inference.infer(input);
        return {
          result: answer.result,
          model: answer.model,
          latencyMs: answer.latencyMs,
          invocation: answer.invocation,
        };
      },
    },
    Model: {
      __resolveReference: (reference) => {
        const entry = deps.catalog.get(reference.name);
        return entry ? modelView(entry) : null;
      },
      taskTypes: (model) => [...model.taskTypes],
      stats: (model, { windowSeconds }) =>
        deps.store.stats({ model: model.name, windowSeconds: clampWindow(windowSeconds) }),
    },
    ModelInvocation: {
      __resolveReference: (reference, context) => invocationLoader(context).load(reference.id),
      model: (invocation) => modelByName(invocation.model, invocation.provider),
      createdAt: (invocation) => invocation.createdAt.toISOString(),
    },
  };
}

function clampWindow(windowSeconds: number | null | undefined): number {
  return Math.min(Math.max(windowSeconds ?? 3600, 1), MAX_WINDOW_SECONDS);
}
