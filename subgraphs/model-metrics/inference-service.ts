/**
 * The one code path of every inference, shared by POST /api/v1/model-metrics/infer and the
 * `infer` mutation: validate the request, choose the model, run it under a timeout, record
 * the call in model_invocations, observe it in Prometheus and the model selector.
 *
 * A request rejected before any model ran (unknown task type or model, empty or oversized
 * input) is not recorded: no model was invoked, and such rows would only skew error rates.
 * Every call that reached a provider is recorded, whatever its outcome. A successful call
 * whose row cannot be stored answers 503: the caller never gets a result that has no record.
 */
import { randomUUID } from 'node:crypto';

import type { Histogram } from 'prom-client';

import { AppError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { ModelMetricsErrors } from './errors';
import { type InvocationRecord, type InvocationStore, isUuid } from './invocation-store';
import { type CatalogEntry, type ModelCatalog, invocationCost } from './model-catalog';
import type { ModelSelector } from './model-selector';
import { type InferenceOutput, ProviderError } from './providers/provider';

export interface InferRequest {
  taskType: string;
  input: string;
  model?: string | null | undefined;
  workflowId?: string | null | undefined;
  taskId?: string | null | undefined;
}

export interface InferResponse {
  result: unknown;
  model: string;
  latencyMs: number;
  usage: { inputUnits: number; outputUnits: number };
  invocation: InvocationRecord;
}

export interface InferenceServiceOptions {
  catalog: ModelCatalog;
  store: InvocationStore;
  selector: ModelSelector;
  log: Logger;
  /** model_inference_duration_seconds{model, task_type, outcome} */
  latencyHistogram: Histogram<'model' | 'task_type' | 'outcome'>;
  timeoutMs: number;
  maxInputBytes: number;
}

const MAX_TASK_ID_CHARS = 200;

export class InferenceService {
  constructor(private readonly options: InferenceServiceOptions) {}

  get maxInputBytes(): number {
    return this.options.maxInputBytes;
  }

  async infer(request: InferRequest): Promise<InferResponse> {
    const entry = this.resolveModel(request);
    this.validateInput(request);

    const started = performance.now();
    let output: InferenceOutput | undefined;
    let failure: AppError | undefined;
    let errorClass: string | null = null;
    try {
      output = await this.runWithTimeout(entry, request);
    } catch (error) {
      ({ failure, errorClass } = this.classify(error, entry));
    }
    const latencyMs = performance.now() - started;

    const invocation: InvocationRecord = {
      id: randomUUID(),
      model: entry.model.name,
      provider: entry.provider.name,
      taskType: request.taskType,
      latencyMs,
      inputUnits: output?.inputUnits ?? 0,
      outputUnits: output?.outputUnits ?? 0,
      cost: output ? invocationCost(entry.model, output.inputUnits, output.outputUnits) : 0,
      outcome: output ? 'success' : 'error',
      errorClass,
      workflowId: request.workflowId ?? null,
      taskId: request.taskId ?? null,
      createdAt: new Date(),
    };
    this.observe(invocation);
    await this.options.store.record(invocation);

    if (!output) {
      throw failure ?? new AppError(ModelMetricsErrors.INTERNAL, 'Inference failed.');
    }
    return {
      result: output.result,
      model: invocation.model,
      latencyMs,
      usage: { inputUnits: invocation.inputUnits, outputUnits: invocation.outputUnits },
      invocation,
    };
  }

  private resolveModel(request: InferRequest): CatalogEntry {
    const { catalog, selector } = this.options;
    const candidates = catalog.forTaskType(request.taskType);
    if (candidates.length === 0) {
      throw new AppError(
        ModelMetricsErrors.UNKNOWN_TASK_TYPE,
        `No model serves task type "${request.taskType}".`,
        {
          task_types: catalog.taskTypes,
        },
      );
    }
    if (request.model !== undefined && request.model !== null) {
      const named = catalog.get(request.model);
      if (!named) {
        throw new AppError(
          ModelMetricsErrors.UNKNOWN_MODEL,
          `No model is named "${request.model}".`,
          {
            models: catalog.entries.map((entry) => entry.model.name),
          },
        );
      }
      if (!named.model.taskTypes.includes(request.taskType)) {
        throw new AppError(
          ModelMetricsErrors.MODEL_TASK_MISMATCH,
          `Model "${request.model}" does not serve task type "${request.taskType}".`,
          { task_types: named.model.taskTypes },
        );
      }
      return named;
    }
    const selection = selector.choose(
      request.taskType,
      candidates.map((entry) => entry.model.name),
    );
    return catalog.get(selection.model) as CatalogEntry;
  }

  private validateInput(request: InferRequest): void {
    if (request.input.trim().length === 0) {
      throw new AppError(
        ModelMetricsErrors.EMPTY_INPUT,
        'The input is empty; send the text to run the model on.',
      );
    }
    const inputBytes = Buffer.byteLength(request.input, 'utf8');
    if (inputBytes > this.options.maxInputBytes) {
      throw new AppError(
        ModelMetricsErrors.INPUT_TOO_LARGE,
        `The input is ${inputBytes} bytes; at most ${this.options.maxInputBytes} are accepted.`,
        { max_input_bytes: this.options.maxInputBytes, input_bytes: inputBytes },
      );
    }
    if (
      request.workflowId !== undefined &&
      request.workflowId !== null &&
      !isUuid(request.workflowId)
    ) {
      throw new AppError(ModelMetricsErrors.VALIDATION_FAILED, 'workflow_id must be a UUID.', {
        field_errors: { workflow_id: 'must be a UUID' },
      });
    }
    if (
      request.taskId !== undefined &&
      request.taskId !== null &&
      request.taskId.length > MAX_TASK_ID_CHARS
    ) {
      throw new AppError(
        ModelMetricsErrors.VALIDATION_FAILED,
        `task_id is longer than ${MAX_TASK_ID_CHARS} characters.`,
        {
          field_errors: { task_id: `at most ${MAX_TASK_ID_CHARS} characters` },
        },
      );
    }
  }

  /**
   * The signal asks the provider to stop; the race makes the timeout hold even for a
   * provider that ignores its signal.
   */
  private async runWithTimeout(
    entry: CatalogEntry,
    request: InferRequest,
  ): Promise<InferenceOutput> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ProviderError(
          'timeout',
          `${entry.model.name} gave no answer within ${this.options.timeoutMs} ms.`,
          'timeout',
        );
        controller.abort(error);
        reject(error);
      }, this.options.timeoutMs);
    });
    try {
      return await Promise.race([
        entry.provider.infer(request.taskType, request.input, {
          model: entry.model.name,
          signal: controller.signal,
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private classify(error: unknown, entry: CatalogEntry): { failure: AppError; errorClass: string } {
    const model = entry.model.name;
    if (error instanceof ProviderError) {
      const details = { model, provider: entry.provider.name, error_class: error.errorClass };
      switch (error.kind) {
        case 'rejected':
          return {
            failure: new AppError(ModelMetricsErrors.PROVIDER_REJECTED, error.message, details, {
              cause: error,
            }),
            errorClass: error.errorClass,
          };
        case 'unavailable':
          return {
            failure: new AppError(
              ModelMetricsErrors.PROVIDER_UNAVAILABLE,
              error.message,
              { ...details, retry_after: 5 },
              { cause: error },
            ),
            errorClass: error.errorClass,
          };
        case 'bad_reply':
          return {
            failure: new AppError(ModelMetricsErrors.PROVIDER_BAD_REPLY, error.message, details, {
              cause: error,
            }),
            errorClass: error.errorClass,
          };
        case 'timeout':
          return {
            failure: new AppError(ModelMetricsErrors.INFERENCE_TIMEOUT, error.message, details, {
              cause: error,
            }),
            errorClass: error.errorClass,
          };
        default:
          return unreachableKind(error.kind);
      }
    }
    this.options.log.error({ err: error, model }, 'model provider threw an unexpected error');
    return {
      failure: new AppError(
        ModelMetricsErrors.INTERNAL,
        `Model ${model} failed unexpectedly.`,
        { model },
        { cause: error },
      ),
      errorClass: 'internal',
    };
  }

  private observe(invocation: InvocationRecord): void {
    this.options.latencyHistogram.observe(
      { model: invocation.model, task_type: invocation.taskType, outcome: invocation.outcome },
      invocation.latencyMs / 1000,
    );
    this.options.selector.observe(invocation);
    if (invocation.outcome === 'error') {
      this.options.log.warn(
        {
          model: invocation.model,
          taskType: invocation.taskType,
          errorClass: invocation.errorClass,
        },
        'model invocation failed',
      );
    }
  }
}

function unreachableKind(kind: never): never {
  throw new Error(`unhandled provider failure kind ${String(kind)}`);
}
