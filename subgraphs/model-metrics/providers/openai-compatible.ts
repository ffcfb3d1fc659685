/**
 * A provider for any server speaking the OpenAI chat-completions protocol (OpenAI, Ollama,
 * vLLM, LM Studio): POST {baseUrl}/chat/completions with a system prompt per task type.
 * Failures are classified for the caller: the server's 4xx is a rejection (except 408
 * and 429, which may pass), its 5xx or a broken connection is unavailability, a reply
 * that is not a chat completion is a bad reply, and an aborted call is a timeout.
 */
import { Agent, errors as undiciErrors, request } from 'undici';

import {
  type InferenceOptions,
  type InferenceOutput,
  type ModelDescriptor,
  type Provider,
  type ProviderHealth,
  ProviderError,
} from './provider';

export interface OpenAiModelConfig extends ModelDescriptor {
  /** The name the server knows the model by, when it differs from ours. @default name */
  remoteName?: string;
}

export interface OpenAiCompatibleOptions {
  name: string;
  /** Up to and including the version segment, e.g. https://api.openai.com/v1. */
  baseUrl: string;
  apiKey?: string | undefined;
  models: OpenAiModelConfig[];
  /** Largest completion asked for. @default 512 */
  maxOutputTokens?: number;
}

export const DEFAULT_OPENAI_TASK_TYPES = [
  'generate',
  'classify',
  'summarize',
  'sentiment',
  'entities',
  'keywords',
];

const SYSTEM_PROMPTS: Record<string, string> = {
  generate: 'Continue or answer the user text helpfully and concisely.',
  classify: 'Classify the user text. Answer with a single lowercase category label only.',
  summarize: 'Summarize the user text in at most three sentences.',
  sentiment:
    'Classify the sentiment of the user text. Answer with one word: positive, negative or neutral.',
  entities: 'List the people, places and organizations named in the user text as JSON.',
  keywords: 'List the most important keywords of the user text, comma-separated.',
};

/** Consecutive failures after which /health reports the provider down. */
const DOWN_AFTER_FAILURES = 3;

interface ChatCompletion {
  choices: Array<{ message: { content: string }; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export function createOpenAiCompatibleProvider(options: OpenAiCompatibleOptions): Provider {
  const endpoint = new URL(`${options.baseUrl.replace(/\/+$/, '')}/chat/completions`);
  // One keep-alive agent per provider, so calls reuse connections.
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 32 });
  const remoteNames = new Map(
    options.models.map((model) => [model.name, model.remoteName ?? model.name]),
  );
  const health = { consecutiveFailures: 0, lastError: undefined as string | undefined };

  const fail = (error: ProviderError): never => {
    health.consecutiveFailures += 1;
    health.lastError = error.errorClass;
    throw error;
  };

  return {
    name: options.name,
    models: options.models,
    async infer(taskType: string, input: string, call: InferenceOptions): Promise<InferenceOutput> {
      const systemPrompt =
        SYSTEM_PROMPTS[taskType] ?? `Perform the task "${taskType}" on the user text.`;
      const body = JSON.stringify({
        model: remoteNames.get(call.model) ?? call.model,
        messages: [
          { role: 'system', content: systemPrompt },
          { role: 'user', content: input },
        ],
        temperature: 0,
        max_tokens: options.maxOutputTokens ?? 512,
      });

      let status: number;
      let text: string;
      try {
        const response = await request(endpoint, {
          method: 'POST',
          dispatcher: agent,
          headers: {
            'content-type': 'application/json',
            ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          },
          body,
          signal: call.signal,
        });
        status = response.statusCode;
        text = await response.body.text();
      } catch (error) {
        return fail(transportFailure(error, call.signal, options.name));
      }

      if (status >= 400) return fail(statusFailure(status, text, options.name));
      const completion = parseCompletion(text);
      if (!completion) {
        return fail(
          new ProviderError(
            'bad_reply',
            `${options.name} answered ${status} with something that is not a chat completion.`,
            'bad_reply',
          ),
        );
      }

      health.consecutiveFailures = 0;
      const choice = completion.choices[0] as ChatCompletion['choices'][number];
      return {
        result: { text: choice.message.content, finish_reason: choice.finish_reason ?? null },
        inputUnits: completion.usage?.prompt_tokens ?? 0,
        outputUnits: completion.usage?.completion_tokens ?? 0,
      };
    },
    health(): ProviderHealth {
      // Judged from recent calls: probing a paid API on every health check would cost money.
      const state =
        health.consecutiveFailures >= DOWN_AFTER_FAILURES
          ? 'down'
          : health.consecutiveFailures > 0
            ? 'degraded'
            : 'up';
      return {
        state,
        base_url: endpoint.origin,
        consecutive_failures: health.consecutiveFailures,
        ...(health.lastError ? { reason: health.lastError } : {}),
      };
    },
    close: () => agent.close(),
  };
}

function transportFailure(error: unknown, signal: AbortSignal, provider: string): ProviderError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof ProviderError
      ? reason
      : new ProviderError('timeout', `${provider} call was aborted.`, 'timeout', { cause: error });
  }
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError
  ) {
    return new ProviderError('timeout', `${provider} stopped answering.`, 'timeout', {
      cause: error,
    });
  }
  const code = (error as { code?: unknown }).code;
  return new ProviderError(
    'unavailable',
    `${provider} could not be reached: ${(error as Error).message}`,
    typeof code === 'string' ? `connection_${code.toLowerCase()}` : 'connection_failed',
    { cause: error },
  );
}

function statusFailure(status: number, text: string, provider: string): ProviderError {
  const vendorMessage = vendorErrorMessage(text);
  const message = `${provider} answered ${status}${vendorMessage ? `: ${vendorMessage}` : ''}`;
  // 408 and 429 say "not now", not "never": they count as unavailability, which callers retry.
  const kind = status >= 500 || status === 408 || status === 429 ? 'unavailable' : 'rejected';
  return new ProviderError(kind, message, `http_${status}`);
}

/** The `error.message` of an OpenAI-style error body, cut short; undefined if there is none. */
function vendorErrorMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string };
    const message = typeof body.error === 'string' ? body.error : body.error?.message;
    return typeof message === 'string' ? message.slice(0, 300) : undefined;
  } catch {
    return undefined;
  }
}

function parseCompletion(text: string): ChatCompletion | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const choices = (body as { choices?: unknown }).choices;
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  const content = (choices[0] as { message?: { content?: unknown } }).message?.content;
  if (typeof content !== 'string') return undefined;
  const usage = (body as { usage?: unknown }).usage;
  return {
    choices: choices as ChatCompletion['choices'],
    ...(usage && typeof usage === 'object'
      ? { usage: sanitizeUsage(usage as Record<string, unknown>) }
      : {}),
  };
}

function sanitizeUsage(usage: Record<string, unknown>): NonNullable<ChatCompletion['usage']> {
  const count = (value: unknown) =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 0;
  return {
    prompt_tokens: count(usage['prompt_tokens']),
    completion_tokens: count(usage['completion_tokens']),
  };
}
