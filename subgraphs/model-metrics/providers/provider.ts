/**
 * The one interface every model provider implements: the built-in local models and the
 * OpenAI-compatible HTTP provider alike. A provider runs inference and nothing else;
 * timing, recording and selection live in the inference service around it.
 */
export interface ModelDescriptor {
  /** Unique across all providers; the Model entity's key. */
  name: string;
  taskTypes: readonly string[];
  /** Relative cost per input and output unit, for model selection. @default 0 */
  costPerInputUnit?: number;
  costPerOutputUnit?: number;
}

export interface InferenceOutput {
  result: unknown;
  /** Tokens for LLMs, words for the local models. */
  inputUnits: number;
  outputUnits: number;
}

export interface InferenceOptions {
  /** Which of the provider's models runs the call. */
  model: string;
  /** Aborted on timeout or when the caller goes away. */
  signal: AbortSignal;
}

export interface ProviderHealth {
  state: 'up' | 'degraded' | 'down';
  [detail: string]: unknown;
}

export interface Provider {
  readonly name: string;
  readonly models: readonly ModelDescriptor[];
  infer(taskType: string, input: string, options: InferenceOptions): Promise<InferenceOutput>;
  /** Cheap: must not spend a paid inference call. */
  health(): ProviderHealth;
  close?(): Promise<void>;
}

/** Why a provider call failed; the inference service maps it to the error registry. */
export type ProviderFailureKind = 'rejected' | 'unavailable' | 'bad_reply' | 'timeout';

export class ProviderError extends Error {
  constructor(
    readonly kind: ProviderFailureKind,
    message: string,
    /** Short machine-readable class recorded with the invocation, e.g. `http_429`. */
    readonly errorClass: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProviderError';
  }
}

/** Words as the local models count them: runs of letters, digits and apostrophes. */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}']+/gu)?.length ?? 0;
}
