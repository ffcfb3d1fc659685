/**
 * http: one call to an external API. Every attempt (and every coordinator that resumes
 * the run) sends the same Idempotency-Key, `<workflowId>:<taskId>`, so a receiver that
 * honours it performs the call once even when the engine retries it.
 */
import { request } from 'undici';
import { z } from 'zod';

import { TaskFailure, type TaskRunner, isRetriableStatus, networkFailure } from './task-runner';

const HttpInput = z.object({
  url: z.string().url(),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  headers: z.record(z.string()).default({}),
  body: z.unknown().optional(),
});

const MAX_RESPONSE_CHARS = 65_536;

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
