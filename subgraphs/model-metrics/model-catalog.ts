/**
 * Which models exist, which provider runs each and which task types each serves. Built
 * once at start from the configured providers; model names are unique across providers.
 */
import type { ModelDescriptor, Provider } from './providers/provider';

export interface CatalogEntry {
  model: ModelDescriptor;
  provider: Provider;
}

export class ModelCatalog {
  private readonly byName = new Map<string, CatalogEntry>();
  private readonly byTaskType = new Map<string, CatalogEntry[]>();

  constructor(readonly providers: readonly Provider[]) {
    for (const provider of providers) {
      for (const model of provider.models) {
        if (this.byName.has(model.name)) {
          throw new Error(
            `model ${model.name} is configured twice (second time by provider ${provider.name})`,
          );
        }
        const entry = { model, provider };
        this.byName.set(model.name, entry);
        for (const taskType of model.taskTypes) {
          const entries = this.byTaskType.get(taskType) ?? [];
          entries.push(entry);
          this.byTaskType.set(taskType, entries);
        }
      }
    }
  }

  get(name: string): CatalogEntry | undefined {
    return this.byName.get(name);
  }

  /** Models serving the task type, in configuration order. */
  forTaskType(taskType: string): readonly CatalogEntry[] {
    return this.byTaskType.get(taskType) ?? [];
  }

  get taskTypes(): string[] {
    return [...this.byTaskType.keys()].sort();
  }

  get entries(): CatalogEntry[] {
    return [...this.byName.values()];
  }
}

/** What one call costs with the model's configured per-unit prices. */
export function invocationCost(
  model: ModelDescriptor,
  inputUnits: number,
  outputUnits: number,
): number {
  return inputUnits * (model.costPerInputUnit ?? 0) + outputUnits * (model.costPerOutputUnit ?? 0);
}

/** The Model entity as GraphQL serves it; also stands for models no longer configured. */
export interface ModelView {
  name: string;
  provider: string;
  taskTypes: readonly string[];
}

export function modelView(entry: CatalogEntry): ModelView {
  return {
    name: entry.model.name,
    provider: entry.provider.name,
    taskTypes: entry.model.taskTypes,
  };
}
