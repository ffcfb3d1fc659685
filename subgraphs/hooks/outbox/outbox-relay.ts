/**
 * The outbox relay: publishes pending hook_outbox rows to workflow.events, in order, and
 * marks them published. It is a Worker of the hooks service.
 *
 * - Only the holder of the relay lease publishes (relay-lease.ts says why a lease).
 * - No transaction is open while publishing: read a batch, publish it, then mark it, each
 *   a single statement (PGlite serializes transactions across connections).
 * - A failed publish backs the relay off exponentially and records attempts and the error
 *   on the rows. While failing, it probes with one row before sending whole batches again:
 *   that is the circuit breaker on Kafka's health, open while the backoff runs.
 * - A batch the bus refuses for good (EventRejectedError: a record over the broker's size
 *   limit, say) is sent again one row at a time: the rows that go through are published,
 *   the culprit is set aside (its event marked failed, an alert raised) instead of holding
 *   up every row behind it forever.
 * - The intake wakes it right after a commit in this process; otherwise it polls.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import type { AlertManager } from '../../../platform/alerts/alert-manager';
import type { Database } from '../../../platform/db/pool';
import { type EventBus, EventRejectedError } from '../../../platform/events/event-bus';
import { Lifecycle } from '../../../platform/lifecycle';
import type { Logger } from '../../../platform/logger';
import type { Worker } from '../../../platform/service';
import type { HookMetrics } from '../hook-metrics';
import {
  type PendingOutboxRow,
  fetchPendingOutbox,
  markOutboxPublished,
  recordOutboxFailure,
  rejectOutboxRow,
} from './outbox-store';
import { RelayLease } from './relay-lease';

export interface OutboxRelayOptions {
  db: Database;
  bus: EventBus;
  /** Full topic name (with the configured prefix). */
  topic: string;
  log: Logger;
  metrics: HookMetrics;
  pollIntervalMs: number;
  /** @default 100 */
  batchSize?: number;
  /** @default 15000 */
  leaseMs?: number;
  /** First retry delay after a failed publish; doubles up to `maxBackoffMs`. @default 200 */
  initialBackoffMs?: number;
  /** @default 30000 */
  maxBackoffMs?: number;
  /** Consecutive failed publishes before the alert fires. @default 5 */
  alertAfterFailures?: number;
  /** Identifies this relay in the lease row. @default a random id */
  holderId?: string;
  /** Where the publish-failure alert goes besides the log. */
  alerts?: AlertManager;
}

/** The relay's failure handling read as a circuit breaker on the event bus. */
export interface PublisherState {
  /** OPEN while backing off after a failure, HALF_OPEN while one probe row is sent. */
  state: 'CLOSED' | 'OPEN' | 'HALF_OPEN';
  consecutive_failures: number;
  alerting: boolean;
}

type TickOutcome = 'idle' | 'more' | 'failed';

/** What the loop is waiting for; only a poll wait may be cut short by wake(). */
type Pause = { kind: 'poll' | 'backoff'; resolve: () => void };

const LEASE_NAME = 'hooks-outbox';
const PUBLISH_ALERT = 'hooks_outbox_publish_failing';
const REJECTED_ALERT = 'hooks_outbox_event_rejected';

export class OutboxRelay implements Worker {
  readonly name = 'outbox-relay';
  private readonly lifecycle = new Lifecycle('outbox-relay');
  private readonly log: Logger;
  private readonly lease: RelayLease;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly alertAfterFailures: number;
  private readonly holderId: string;
  private loop: Promise<void> | undefined;
  private pause: Pause | undefined;
  private wakeRequested = false;
  private stopping = false;
  private consecutiveFailures = 0;
  private alerting = false;
  private leaseTerm: number | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.holderId = options.holderId ?? randomUUID();
    this.log = options.log.child({ component: 'outbox-relay', holder: this.holderId });
    this.batchSize = options.batchSize ?? 100;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.initialBackoffMs = options.initialBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.alertAfterFailures = options.alertAfterFailures ?? 5;
    this.lease = new RelayLease(options.db, {
      name: LEASE_NAME,
      holder: this.holderId,
      leaseMs: this.leaseMs,
    });
  }

  start(): Promise<void> {
    return this.lifecycle.start(async () => {
      this.loop = this.run();
    });
  }

  stop(): Promise<void> {
    return this.lifecycle.stop(async () => {
      this.stopping = true;
      this.pause?.resolve();
      await this.loop;
      if (this.leaseTerm !== undefined) {
        await this.lease.release().catch((error: unknown) => {
          this.log.warn({ err: error }, 'could not release the relay lease; it will expire');
        });
      }
    });
  }

  publisherState(): PublisherState {
    const state =
      this.consecutiveFailures === 0
        ? 'CLOSED'
        : this.pause?.kind === 'backoff'
          ? 'OPEN'
          : 'HALF_OPEN';
    return { state, consecutive_failures: this.consecutiveFailures, alerting: this.alerting };
  }

  /** Called after an event committed: publish now instead of at the next poll. */
  wake(): void {
    this.wakeRequested = true;
    if (this.pause?.kind === 'poll') this.pause.resolve();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let outcome: TickOutcome;
      try {
        outcome = await this.tick();
      } catch (error) {
        // The database is down or a statement failed: the rows stay pending; poll again.
        this.log.warn({ err: error }, 'outbox relay tick failed');
        outcome = 'idle';
      }
      switch (outcome) {
        case 'more':
          continue;
        case 'idle':
          await this.waitFor('poll', this.options.pollIntervalMs);
          break;
        case 'failed':
          await this.waitFor('backoff', this.backoffMs());
          break;
      }
    }
  }

  /** One round: make sure this relay leads, publish one batch, mark it. */
  private async tick(): Promise<TickOutcome> {
    this.wakeRequested = false;
    const lease = await this.lease.acquire();
    if (!lease.held) {
      if (this.leaseTerm !== undefined) this.log.info('relay lease lost; following');
      this.leaseTerm = undefined;
      return 'idle';
    }
    if (lease.term !== this.leaseTerm) this.log.info({ term: lease.term }, 'relay lease acquired');
    this.leaseTerm = lease.term;

    // While failing, one row probes the broker before whole batches are sent again.
    const limit = this.consecutiveFailures > 0 ? 1 : this.batchSize;
    const rows = await fetchPendingOutbox(this.options.db, limit);
    if (rows.length === 0) return 'idle';

    const timer = this.options.metrics.publishDuration.startTimer();
    try {
      await this.publishRows(rows);
    } catch (error) {
      if (error instanceof EventRejectedError) return this.publishOneByOne(rows);
      await this.recordFailure(
        rows.map((row) => row.id),
        error,
      );
      return 'failed';
    } finally {
      timer();
    }
    await this.markPublished(rows);
    this.recordSuccess();
    return rows.length === limit || this.wakeRequested ? 'more' : 'idle';
  }

  private publishRows(rows: PendingOutboxRow[]): Promise<void> {
    return this.publishWithin(
      rows.map((row) => ({ envelope: row.envelope, key: row.partitionKey })),
      this.leaseMs / 2,
    );
  }

  private async markPublished(rows: PendingOutboxRow[]): Promise<void> {
    await markOutboxPublished(
      this.options.db,
      rows.map((row) => row.id),
      { topic: this.options.topic },
    );
    this.options.metrics.published.inc(rows.length);
  }

  /**
   * A refused batch, row by row in order: publish what goes through, set aside what not.
   * Rows of the batch that another partition had already accepted go again: a duplicate,
   * which consumers drop by event id.
   */
  private async publishOneByOne(rows: PendingOutboxRow[]): Promise<TickOutcome> {
    for (const [index, row] of rows.entries()) {
      try {
        await this.publishRows([row]);
      } catch (error) {
        if (!(error instanceof EventRejectedError)) {
          await this.recordFailure(
            rows.slice(index).map((rest) => rest.id),
            error,
          );
          return 'failed';
        }
        await this.reject(row, error);
        continue;
      }
      await this.markPublished([row]);
    }
    this.recordSuccess();
    return 'more';
  }

  private async reject(row: PendingOutboxRow, error: EventRejectedError): Promise<void> {
    await rejectOutboxRow(this.options.db, row.id, {
      reason: error.reason,
      message: error.message,
    });
    this.options.metrics.rejected.inc();
    this.log.error(
      { alert: REJECTED_ALERT, eventId: row.eventId, reason: error.reason, err: error },
      'alert: the event bus refused a hook event for good; it is marked failed and set aside',
    );
    this.options.alerts?.fire({
      name: REJECTED_ALERT,
      severity: 'warning',
      summary: 'A hook event was refused by the event bus and will not be delivered',
      description: `Event ${row.eventId}: ${error.message}`,
    });
  }

  /**
   * A publish that outlives half the lease is abandoned (and retried later), so a stalled
   * broker cannot keep this relay publishing after a peer took the lease over.
   */
  private async publishWithin(
    events: Parameters<EventBus['publish']>[1],
    timeoutMs: number,
  ): Promise<void> {
    const abort = new AbortController();
    const timeout = sleep(timeoutMs, undefined, { signal: abort.signal }).then(() => {
      throw new Error(`publish did not finish within ${timeoutMs} ms`);
    });
    try {
      await Promise.race([this.options.bus.publish(this.options.topic, events), timeout]);
    } finally {
      abort.abort();
      timeout.catch(() => undefined);
    }
  }

  private async recordFailure(rowIds: number[], error: unknown): Promise<void> {
    this.consecutiveFailures += 1;
    const retryInMs = this.backoffMs();
    this.options.metrics.publishFailures.inc();
    this.log.warn(
      { err: error, rows: rowIds.length, consecutiveFailures: this.consecutiveFailures, retryInMs },
      'outbox publish failed',
    );
    if (!this.alerting && this.consecutiveFailures >= this.alertAfterFailures) {
      this.alerting = true;
      this.options.metrics.publishAlerting.set(1);
      this.options.alerts?.fire({
        name: PUBLISH_ALERT,
        severity: 'critical',
        summary: 'Hook events cannot be published to the event bus',
        description: `${this.consecutiveFailures} consecutive publishes failed; events wait in the outbox. Last error: ${error instanceof Error ? error.message : String(error)}`,
      });
      this.log.error(
        {
          alert: 'hooks_outbox_publish_failing',
          consecutiveFailures: this.consecutiveFailures,
          err: error,
        },
        'alert: hook events cannot be published to the event bus',
      );
    }
    await recordOutboxFailure(this.options.db, {
      rowIds,
      error: error instanceof Error ? error.message : String(error),
      retryInMs,
    }).catch((recordError: unknown) => {
      this.log.warn({ err: recordError }, 'could not record the publish failure');
    });
  }

  private recordSuccess(): void {
    if (this.alerting) {
      this.log.info(
        {
          alert: 'hooks_outbox_publish_failing',
          resolved: true,
          consecutiveFailures: this.consecutiveFailures,
        },
        'alert resolved: hook events are being published again',
      );
      this.options.metrics.publishAlerting.set(0);
      this.options.alerts?.resolve(PUBLISH_ALERT, {}, 'Hook events are being published again');
      this.alerting = false;
    }
    this.consecutiveFailures = 0;
  }

  private backoffMs(): number {
    const exponent = Math.max(this.consecutiveFailures - 1, 0);
    const base = Math.min(this.initialBackoffMs * 2 ** exponent, this.maxBackoffMs);
    // Up to 20% jitter so replicas that failed together do not retry together.
    return Math.round(base * (0.8 + Math.random() * 0.2));
  }

  private async waitFor(kind: Pause['kind'], delayMs: number): Promise<void> {
    if (this.stopping) return;
    if (kind === 'poll' && this.wakeRequested) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delayMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.pause = { kind, resolve: done };
    });
    this.pause = undefined;
  }
}
