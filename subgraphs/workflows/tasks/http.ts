/**
 * http: one call to an external API. Every attempt (and every coordinator that resumes
 * the run) sends the same Idempotency-Key, `<workflowId>:<taskId>`, so a receiver that
 * honours it performs the call once even when the engine retries it.
 *
 * Each target host has its own circuit breaker (`http:<host>`): after consecutive 5xx,
 * 408, 429, timeouts or connection failures from one host, tasks calling it fail at once
 * instead of waiting on it, while tasks calling other hosts are unaffected.
 */
import { request } from 'undici';
import { z } from 'zod';

import type { BreakerRegistry } from '../../../platform/resilience/breaker-registry';
import { BreakerOpenError } from '../../../platform/resilience/circuit-breaker';
import { TaskFailure, type TaskRunner, isRetriableStatus, networkFailure } from './task-runner';

const HttpInput = z.object({
  url: z.string().url(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  headers: z.record(z.string()).default({}),
  body: z.unknown().optional(),
});

const MAX_RESPONSE_CHARS = 65_536;

export function createHttpRunner(breakers: BreakerRegistry): TaskRunner {
  return async (rawInput, context) => {
    const host = hostOf(rawInput);
    if (host === undefined) return runHttp(rawInput, context);
    const breaker = breakers.get({
      name: `http:${host}`,
      isFailure: (error) => error instanceof TaskFailure && error.retriable,
    });
    try {
      return await breaker.execute(() => runHttp(rawInput, context));
    } catch (error) {
      if (!(error instanceof BreakerOpenError)) throw error;
      throw new TaskFailure(
        `${host} is failing (its circuit breaker is open); not called. Retry after ${error.retryAfterSeconds} s.`,
        false,
        { cause: error },
      );
    }
  };
}

function hostOf(rawInput: unknown): string | undefined {
  const url = (rawInput as { url?: unknown } | null)?.url;
  if (typeof url !== 'string') return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/** One call without a breaker (the input is validated here). */
export const runHttp: TaskRunner = async (rawInput, context) => {
  const input = HttpInput.safeParse(rawInput);
  if (!input.success) {
    const issue = input.error.issues[0];
    throw new TaskFailure(
      `http input is invalid: ${issue?.path.join('.')}: ${issue?.message}`,
      false,
    );
  }
  const { url, method, headers, body } = input.data;
  let response;
  try {
    response = await request(url, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
        'idempotency-key': `${context.workflowId}:${context.taskId}`,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: context.signal,
    });
  } catch (error) {
    throw networkFailure(error, `${method} ${url}`, context.signal);
  }
  const text = (await response.body.text().catch(() => '')).slice(0, MAX_RESPONSE_CHARS);
  if (response.statusCode >= 400) {
    throw new TaskFailure(
      `${method} ${url} answered ${response.statusCode}: ${text.slice(0, 200)}`,
      isRetriableStatus(response.statusCode),
    );
  }
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: the output keeps the text.
  }
  return { output: { status: response.statusCode, body: parsed } };
};
