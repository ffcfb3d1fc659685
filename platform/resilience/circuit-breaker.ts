/**
 * A circuit breaker around one remote dependency, built on cockatiel's
 * ConsecutiveBreaker: after `failureThreshold` failures in a row it opens and calls fail
 * at once with BreakerOpenError; after `halfOpenAfterMs` (or as soon as the health
 * monitor saw the dependency healthy again) the next call is a half-open trial whose
 * success closes it and whose failure opens it again.
 *
 * Only failures that say the dependency is unwell count (`isFailure`): a 400 for a bad
 * input is the caller's problem and neither opens nor closes the breaker.
 */
import {
  BrokenCircuitError,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  type IBackoff,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhen,
} from 'cockatiel';

export const BreakerStates = ['CLOSED', 'OPEN', 'HALF_OPEN'] as const;
export type BreakerState = (typeof BreakerStates)[number];

export interface CircuitBreakerOptions {
  name: string;
  /** Consecutive failures that open the breaker. @default 5 */
  failureThreshold?: number;
  /** Cooldown before an open breaker lets one trial call through. @default 30000 */
  halfOpenAfterMs?: number;
  /** Whether an error counts against the dependency. @default every error */
  isFailure?: (error: Error) => boolean;
  /** The dependency's health endpoint, polled by the health monitor while open. */
  healthUrl?: string;
  /** A cheap real request the health monitor sends as the half-open trial. */
  trial?: (signal: AbortSignal) => Promise<void>;
}

export interface BreakerSnapshot {
  state: BreakerState;
  failure_threshold: number;
  half_open_after_ms: number;
  opened_at: string | null;
  last_failure: string | null;
}

/** Thrown instead of calling a dependency whose breaker is open. */
export class BreakerOpenError extends Error {
  override name = 'BreakerOpenError';
  constructor(
    readonly breaker: string,
    /** Seconds until a trial call may go through, at least 1. */
    readonly retryAfterSeconds: number,
  ) {
    super(`the ${breaker} circuit breaker is open`);
  }
}

class Cooldown implements IBackoff<unknown> {
  constructor(private readonly currentMs: () => number) {}

  get duration(): number {
    return this.currentMs();
  }

  next(): IBackoff<unknown> {
    return this;
  }
}

export class CircuitBreaker {
  readonly name: string;
  readonly failureThreshold: number;
  readonly halfOpenAfterMs: number;
  readonly healthUrl: string | undefined;
  readonly trial: ((signal: AbortSignal) => Promise<void>) | undefined;
  private readonly policy: CircuitBreakerPolicy;
  private openedAtMs: number | undefined;
  private recovered = false;
  private lastFailure: string | undefined;

  constructor(options: CircuitBreakerOptions) {
    this.name = options.name;
    this.failureThreshold = options.failureThreshold ?? 5;
    this.halfOpenAfterMs = options.halfOpenAfterMs ?? 30_000;
    this.healthUrl = options.healthUrl;
    this.trial = options.trial;
    const isFailure = options.isFailure ?? (() => true);
    // cockatiel reads the cooldown's `duration` on every call while open, so reading it
    // from the breaker lets the health monitor end the cooldown early (markRecovered).
    const cooldown = new Cooldown(() => (this.recovered ? 0 : this.halfOpenAfterMs));
    this.policy = circuitBreaker(
      handleWhen((error) => {
        const counts = isFailure(error);
        if (counts) this.lastFailure = error.message;
        return counts;
      }),
      { breaker: new ConsecutiveBreaker(this.failureThreshold), halfOpenAfter: cooldown },
    );
    this.policy.onBreak(() => {
      this.openedAtMs = Date.now();
      this.recovered = false;
    });
    this.policy.onReset(() => {
      this.openedAtMs = undefined;
      this.recovered = false;
    });
  }

  get state(): BreakerState {
    switch (this.policy.state) {
      case CircuitState.Closed:
        return 'CLOSED';
      case CircuitState.HalfOpen:
        return 'HALF_OPEN';
      case CircuitState.Open:
        // cockatiel moves to half-open lazily on the next call; report what that call meets.
        return this.cooldownLeftMs() === 0 ? 'HALF_OPEN' : 'OPEN';
      case CircuitState.Isolated:
        return 'OPEN';
      default:
        return 'OPEN';
    }
  }

  /** Runs `work` through the breaker; throws BreakerOpenError without calling it when open. */
  async execute<T>(work: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await this.policy.execute(({ signal: policySignal }) => work(policySignal), signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
        throw new BreakerOpenError(this.name, this.retryAfterSeconds());
      }
      throw error;
    }
  }

  /** Seconds until an open breaker lets a trial call through, at least 1. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.cooldownLeftMs() / 1000));
  }

  /** The dependency answered its health check: the next call may be the half-open trial. */
  markRecovered(): void {
    if (this.policy.state === CircuitState.Open) this.recovered = true;
  }

  /** Called with every state change: CLOSED, OPEN and HALF_OPEN as cockatiel enters them. */
  onStateChange(listener: (state: BreakerState) => void): void {
    this.policy.onStateChange((state) =>
      listener(
        state === CircuitState.Closed
          ? 'CLOSED'
          : state === CircuitState.HalfOpen
            ? 'HALF_OPEN'
            : 'OPEN',
      ),
    );
  }

  snapshot(): BreakerSnapshot {
    return {
      state: this.state,
      failure_threshold: this.failureThreshold,
      half_open_after_ms: this.halfOpenAfterMs,
      opened_at: this.openedAtMs === undefined ? null : new Date(this.openedAtMs).toISOString(),
      last_failure: this.state === 'CLOSED' ? null : (this.lastFailure ?? null),
    };
  }

  private cooldownLeftMs(): number {
    if (this.openedAtMs === undefined || this.recovered) return 0;
    return Math.max(0, this.openedAtMs + this.halfOpenAfterMs - Date.now());
  }
}
