/**
 * model_inference: one call to the model-metrics service's inference endpoint. The task
 * input is `{ task_type, input, model? }`; the output is the service's answer, whose
 * `invocation_id` links the task to its ModelInvocation.
 *
 * Every call goes through the model-metrics circuit breaker (failures that count: 5xx,
 * 408, 429, timeouts, unreachable). When the breaker is open, or this was the task's last
 * attempt and it failed that way, the degradation mode decides: GRACEFUL answers from
 * the fallback (cache, then a local model) marked degraded; STRICT fails the task at once
 * without retrying, with an error naming the open breaker.
 */
import { request } from 'undici';
import { z } from 'zod';

import type { DegradationMode } from '../../../platform/config';
import {
  BreakerOpenError,
  type CircuitBreaker,
} from '../../../platform/resilience/circuit-breaker';
import type { InferenceFallback } from './inference-fallback';
import {
  type TaskContext,
  TaskFailure,
  type TaskOutcome,
  type TaskRunner,
  isRetriableStatus,
  networkFailure,
} from './task-runner';

export interface ModelInferenceOptions {
  /** Base URL of the model-metrics service. */
  baseUrl: string;
  serviceApiKey: string;
  breaker: CircuitBreaker;
  degradation: DegradationMode;
  fallback: InferenceFallback;
}

/** Whether a failed call says model-metrics is unwell (what the breaker counts). */
export function isDependencyFailure(error: Error): boolean {
  return error instanceof TaskFailure && error.retriable;
}

const InferInput = z.preprocess(
  (value) => {
    if (typeof value !== 'object' || value === null || !('taskType' in value)) return value;
    const { taskType, ...rest } = value as Record<string, unknown>;
    return { task_type: taskType, ...rest };
  },
  z.object({ task_type: z.string().min(1), input: z.unknown(), model: z.string().optional() }),
);

const InferAnswer = z
  .object({ result: z.unknown(), model: z.string(), invocation_id: z.string() })
  .passthrough();

export function createModelInferenceRunner(options: ModelInferenceOptions): TaskRunner {
  const url = new URL('/api/v1/model-metrics/infer', options.baseUrl).toString();
  return async (rawInput, context) => {
    const input = InferInput.safeParse(rawInput);
    if (!input.success) {
      throw new TaskFailure(
        `model_inference input is invalid: ${input.error.issues[0]?.message}`,
        false,
      );
    }
    const inferRequest = input.data;
    try {
      const outcome = await options.breaker.execute(() =>
        callModelMetrics(url, options, inferRequest, context),
      );
      void options.fallback.remember(inferRequest, {
        result: outcome.output.result,
        model: outcome.output.model,
      });
      return outcome;
    } catch (error) {
      const breakerOpen = error instanceof BreakerOpenError;
      const exhausted =
        error instanceof TaskFailure && error.retriable && context.isLastAttempt === true;
      if (!breakerOpen && !exhausted) throw error;
      const reason = breakerOpen
        ? 'model-metrics is unavailable (its circuit breaker is open)'
        : `model-metrics failed on every attempt (${(error as Error).message})`;
      if (options.degradation === 'strict') {
        if (!breakerOpen) throw error;
        throw new TaskFailure(
          `${reason}; strict degradation fails the task at once. Retry after ${error.retryAfterSeconds} s.`,
          false,
          { cause: error },
        );
      }
      const degraded = await options.fallback.answer(inferRequest, reason, context.signal);
      if (!degraded) {
        throw new TaskFailure(
          `${reason}, and no cached result or local model covers task type ${inferRequest.task_type}`,
          false,
          {
            cause: error,
          },
        );
      }
      context.log.warn(
        { source: degraded.source, breaker: options.breaker.state },
        'model inference degraded',
      );
      return { output: degraded, degraded: true };
    }
  };
}

async function callModelMetrics(
  url: string,
  options: ModelInferenceOptions,
  input: z.infer<typeof InferInput>,
  context: TaskContext,
): Promise<TaskOutcome & { output: z.infer<typeof InferAnswer> }> {
  let response;
  try {
    response = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': options.serviceApiKey,
        'x-correlation-id': context.workflowId,
      },
      body: JSON.stringify({
        ...input,
        workflow_id: context.workflowId,
        task_id: context.taskId,
      }),
      signal: context.signal,
    });
  } catch (error) {
    throw networkFailure(error, 'model inference', context.signal);
  }

  const text = await response.body.text().catch(() => '');
  const body = safeJson(text);
  if (response.statusCode !== 200) {
    const detail = describeError(body) ?? text.slice(0, 200);
    throw new TaskFailure(
      `model inference answered ${response.statusCode}: ${detail}`,
      isRetriableStatus(response.statusCode),
    );
  }
  const answer = InferAnswer.safeParse(body);
  if (!answer.success) {
    throw new TaskFailure(
      'model inference answered 200 without result, model and invocation_id',
      true,
    );
  }
  return {
    output: answer.data,
    invocationId: answer.data.invocation_id,
    degraded: answer.data['degraded'] === true,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeError(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { error, message } = body as { error?: unknown; message?: unknown };
  if (typeof error !== 'string' && typeof message !== 'string') return undefined;
  return [error, message].filter((part) => typeof part === 'string').join(': ');
}
