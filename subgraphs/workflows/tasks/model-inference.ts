/**
 * model_inference: one call to the model-metrics service's inference endpoint. The task
 * input is `{ task_type, input, model? }`; the output is the service's answer, whose
 * `invocation_id` links the task to its ModelInvocation.
 */
import { request } from 'undici';
import { z } from 'zod';

import { TaskFailure, type TaskRunner, isRetriableStatus, networkFailure } from './task-runner';

export interface ModelInferenceOptions {
  /** Base URL of the model-metrics service. */
  baseUrl: string;
  serviceApiKey: string;
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
          ...input.data,
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
