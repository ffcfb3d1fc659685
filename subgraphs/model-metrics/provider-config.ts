/**
 * Which providers and models the service runs, and how it selects among them: the
 * built-in local models always (unless the models file turns them off), plus the
 * OpenAI-compatible providers of MODELS_FILE and of OPENAI_BASE_URL / OPENAI_MODEL.
 *
 * A models file, e.g.:
 *   {
 *     "selection": { "weights": { "success": 0.6, "latency": 0.3, "cost": 0.1 }, "explorationRate": 0.1 },
 *     "providers": [{
 *       "name": "ollama", "baseUrl": "http://127.0.0.1:11434/v1", "apiKeyEnv": "OLLAMA_API_KEY",
 *       "models": [{ "name": "llama3", "remoteName": "llama3.1:8b", "taskTypes": ["generate", "summarize"],
 *                    "costPerInputUnit": 0, "costPerOutputUnit": 0 }]
 *     }]
 *   }
 * Keys are named by environment variable (`apiKeyEnv`) so the file can be committed.
 */
import { readFileSync } from 'node:fs';

import { z } from 'zod';

import type { Config } from '../../platform/config';
import type { ModelSelectorOptions } from './model-selector';
import { createLocalNlpProvider } from './providers/local-nlp';
import { createLocalSentimentProvider } from './providers/local-sentiment';
import {
  DEFAULT_OPENAI_TASK_TYPES,
  createOpenAiCompatibleProvider,
} from './providers/openai-compatible';
import type { Provider } from './providers/provider';

const unitCost = z.number().nonnegative().optional();

const ModelsFile = z.object({
  /** @default true */
  local: z.boolean().optional(),
  selection: z
    .object({
      weights: z
        .object({
          success: z.number().nonnegative().optional(),
          latency: z.number().nonnegative().optional(),
          cost: z.number().nonnegative().optional(),
        })
        .optional(),
      explorationRate: z.number().min(0).max(1).optional(),
      minSamples: z.number().int().nonnegative().optional(),
      windowSize: z.number().int().positive().optional(),
    })
    .optional(),
  providers: z
    .array(
      z.object({
        name: z.string().min(1),
        baseUrl: z.string().url(),
        apiKeyEnv: z.string().min(1).optional(),
        maxOutputTokens: z.number().int().positive().optional(),
        models: z
          .array(
            z.object({
              name: z.string().min(1),
              remoteName: z.string().min(1).optional(),
              taskTypes: z.array(z.string().min(1)).min(1).default(DEFAULT_OPENAI_TASK_TYPES),
              costPerInputUnit: unitCost,
              costPerOutputUnit: unitCost,
            }),
          )
          .min(1),
      }),
    )
    .default([]),
});

export interface ProviderSetup {
  providers: Provider[];
  selection: ModelSelectorOptions;
}

export class ModelsFileError extends Error {
  override name = 'ModelsFileError';
}

export function loadProviderSetup(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): ProviderSetup {
  const file = config.modelMetrics.modelsFile
    ? readModelsFile(config.modelMetrics.modelsFile)
    : undefined;
  const providers: Provider[] = [];

  if (file?.local ?? true) providers.push(createLocalSentimentProvider(), createLocalNlpProvider());
  for (const provider of file?.providers ?? []) {
    const apiKey = provider.apiKeyEnv ? env[provider.apiKeyEnv] : undefined;
    if (provider.apiKeyEnv && !apiKey) {
      throw new ModelsFileError(
        `provider ${provider.name} names ${provider.apiKeyEnv}, which is not set`,
      );
    }
    providers.push(
      createOpenAiCompatibleProvider({
        name: provider.name,
        baseUrl: provider.baseUrl,
        apiKey,
        models: provider.models,
        ...(provider.maxOutputTokens ? { maxOutputTokens: provider.maxOutputTokens } : {}),
      }),
    );
  }
  const openai = config.modelMetrics.openai;
  if (openai) {
    providers.push(
      createOpenAiCompatibleProvider({
        name: 'openai-compatible',
        baseUrl: openai.baseUrl,
        apiKey: openai.apiKey,
        models: [{ name: openai.model, taskTypes: openai.taskTypes ?? DEFAULT_OPENAI_TASK_TYPES }],
      }),
    );
  }

  const selection = file?.selection ?? {};
  return {
    providers,
    selection: {
      ...(selection.weights ? { weights: selection.weights } : {}),
      ...(selection.explorationRate !== undefined
        ? { explorationRate: selection.explorationRate }
        : {}),
      ...(selection.minSamples !== undefined ? { minSamples: selection.minSamples } : {}),
      ...(selection.windowSize !== undefined ? { windowSize: selection.windowSize } : {}),
    },
  };
}

function readModelsFile(filePath: string): z.infer<typeof ModelsFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(filePath, 'utf8'));
  } catch (error) {
    throw new ModelsFileError(`cannot read models file ${filePath}: ${(error as Error).message}`);
  }
  const parsed = ModelsFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ModelsFileError(`models file ${filePath} is not valid:\n  ${issues.join('\n  ')}`);
  }
  return parsed.data;
}
