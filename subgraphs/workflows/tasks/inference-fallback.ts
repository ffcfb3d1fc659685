/**
 * What a model_inference task answers when the model-metrics service cannot (GRACEFUL
 * degradation): the last successful answer for the same task type, input and model if
 * one is younger than the cache TTL, else the result of a built-in local model for the
 * task type (the same AFINN sentiment and compromise NLP models model-metrics runs
 * locally). Either answer is marked `degraded: true` with a message saying which.
 */
import { createHash } from 'node:crypto';

import type { Database } from '../../../platform/db/pool';
import type { Logger } from '../../../platform/logger';
import { createLocalNlpProvider } from '../../model-metrics/providers/local-nlp';
import { createLocalSentimentProvider } from '../../model-metrics/providers/local-sentiment';
import type { Provider } from '../../model-metrics/providers/provider';

export interface InferenceRequest {
  task_type: string;
  input?: unknown;
  model?: string | undefined;
}

export interface DegradedAnswer {
  result: unknown;
  model: string;
  degraded: true;
  message: string;
  source: 'cache' | 'local_model';
}

// Pruning runs on one write in this many, so the table stays bounded without a sweeper.
const PRUNE_EVERY_WRITES = 200;

export class InferenceFallback {
  private readonly localProviders: Provider[] = [
    createLocalSentimentProvider(),
    createLocalNlpProvider(),
  ];
  private writes = 0;

  constructor(
    private readonly db: Database,
    private readonly ttlHours: number,
    private readonly log: Logger,
  ) {}

  /** Keeps a successful answer as the fallback for the same request; never throws. */
  async remember(request: InferenceRequest, answer: unknown): Promise<void> {
    try {
      await this.db.query(
        `INSERT INTO model_inference_cache (input_hash, task_type, answer) VALUES ($1, $2, $3)
         ON CONFLICT (input_hash) DO UPDATE SET answer = EXCLUDED.answer, stored_at = now()`,
        [requestHash(request), request.task_type, JSON.stringify(answer)],
      );
      this.writes += 1;
      if (this.writes % PRUNE_EVERY_WRITES === 0) {
        await this.db.query(
          `DELETE FROM model_inference_cache WHERE stored_at < now() - make_interval(hours => $1)`,
          [this.ttlHours],
        );
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not cache the inference answer');
    }
  }

  /** A degraded answer for `request`, or undefined when neither the cache nor a local model has one. */
  async answer(
    request: InferenceRequest,
    reason: string,
    signal: AbortSignal,
  ): Promise<DegradedAnswer | undefined> {
    const cached = await this.cached(request);
    if (cached !== undefined) {
      return {
        result: cached.result,
        model: cached.model,
        degraded: true,
        source: 'cache',
        message: `${reason}; answered from the last successful result for the same input.`,
      };
    }
    const provider = this.localProviders.find((candidate) =>
      candidate.models.some((model) => model.taskTypes.includes(request.task_type)),
    );
    const model = provider?.models.find((candidate) =>
      candidate.taskTypes.includes(request.task_type),
    );
    if (!provider || !model) return undefined;
    const text =
      typeof request.input === 'string' ? request.input : JSON.stringify(request.input ?? '');
    const output = await provider.infer(request.task_type, text, { model: model.name, signal });
    return {
      result: output.result,
      model: model.name,
      degraded: true,
      source: 'local_model',
      message: `${reason}; answered by the built-in ${model.name} model instead.`,
    };
  }

  private async cached(
    request: InferenceRequest,
  ): Promise<{ result: unknown; model: string } | undefined> {
    try {
      const { rows } = await this.db.query<{ answer: { result: unknown; model: string } }>(
        `SELECT answer FROM model_inference_cache
         WHERE input_hash = $1 AND stored_at > now() - make_interval(hours => $2)`,
        [requestHash(request), this.ttlHours],
      );
      return rows[0]?.answer;
    } catch (error) {
      this.log.warn({ err: error }, 'could not read the inference cache');
      return undefined;
    }
  }
}

function requestHash(request: InferenceRequest): string {
  return createHash('sha256')
    .update(canonicalJson([request.task_type, request.input ?? null, request.model ?? null]))
    .digest('hex');
}

/** JSON with object keys sorted, so equal inputs hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
