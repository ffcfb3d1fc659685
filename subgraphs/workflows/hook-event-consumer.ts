/**
 * The consumer of workflow.events, shared by every coordinator through one consumer group
 * (partitions spread the events). Per event it starts the triggered workflows, which
 * returns as soon as the runs are stored: execution goes on after the offset commit.
 *
 * Failures. An outage of PostgreSQL is not the event's fault: the handler throws, the bus
 * redelivers the same event after a pause, and nothing is dead-lettered. Any other failure
 * is retried here with exponential backoff up to `maxAttempts`, then the message goes to
 * the dead-letter queue and the handler returns, so its offset is committed and later
 * events keep flowing. A message that is not a valid hook event (no CloudEvent, bad data)
 * cannot succeed on retry and is dead-lettered at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { z } from 'zod';

import { AppError, isConnectionError } from '../../platform/errors';
import type {
  DeliveredEvent,
  EventBus,
  Subscription,
  UndecodableEvent,
} from '../../platform/events/event-bus';
import { Lifecycle } from '../../platform/lifecycle';
import type { Logger } from '../../platform/logger';
import type { Worker } from '../../platform/service';
import type { TriggerEvent, WorkflowCoordinator } from './coordinator';
import type { DeadLetterQueue, FailedMessage } from './dead-letters';
import type { WorkflowMetrics } from './workflow-metrics';

export interface HookEventConsumerOptions {
  bus: EventBus;
  topic: string;
  /** The consumer group every coordinator shares (the bus adds the topic prefix). */
  groupId: string;
  coordinator: WorkflowCoordinator;
  deadLetters: DeadLetterQueue;
  log: Logger;
  metrics: WorkflowMetrics;
  /** Attempts before a failing event is dead-lettered. @default 5 */
  maxAttempts?: number;
  /** @default 200 */
  initialBackoffMs?: number;
  /** @default 5000 */
  maxBackoffMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const HookEventDataSchema = z
  .object({ source: z.string().min(1), action: z.string().min(1) })
  .passthrough();

/** The event can never be processed as it is: retrying would not help. */
class PoisonEvent extends Error {
  override name = 'PoisonEvent';
}

export class HookEventConsumer implements Worker {
  readonly name = 'hook-event-consumer';
  private readonly lifecycle = new Lifecycle(this.name);
  private subscription: Subscription | undefined;
  private readonly log: Logger;
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private stopping = false;

  constructor(private readonly options: HookEventConsumerOptions) {
    this.log = options.log.child({ component: this.name });
    this.maxAttempts = options.maxAttempts ?? 5;
    this.initialBackoffMs = options.initialBackoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
  }

  start(): Promise<void> {
    return this.lifecycle.start(async () => {
      this.subscription = await this.options.bus.subscribe({
        groupId: this.options.groupId,
        topics: [this.options.topic],
        fromBeginning: true,
        handle: (event) => this.handle(event),
        handleUndecodable: (event) => this.handleUndecodable(event),
      });
    });
  }

  stop(): Promise<void> {
    return this.lifecycle.stop(async () => {
      this.stopping = true;
      await this.subscription?.stop();
    });
  }

  private async handle(event: DeliveredEvent): Promise<void> {
    const message: FailedMessage = {
      topic: event.topic,
      partition: event.partition,
      offset: event.offset,
      key: event.key,
      raw: event.raw,
      eventId: event.envelope.id,
      correlationId: event.envelope.correlationid,
    };
    const firstFailedAt = new Date();
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { outcome, workflowIds } = await this.options.coordinator.startForHookEvent(
          toTriggerEvent(event),
        );
        this.options.metrics.hookEvents.inc({
          outcome: outcome.startsWith('started') ? 'started' : outcome,
        });
        this.log.debug(
          { eventId: event.envelope.id, outcome, workflowIds },
          'hook event processed',
        );
        return;
      } catch (error) {
        if (isOutage(error) || this.stopping) throw error;
        const poison = error instanceof PoisonEvent;
        if (poison || attempt >= this.maxAttempts) {
          await this.deadLetter(message, error as Error, attempt, firstFailedAt);
          return;
        }
        const waitMs = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (attempt - 1));
        const jitteredMs = Math.round(waitMs / 2 + Math.random() * (waitMs / 2));
        this.log.warn(
          { eventId: event.envelope.id, attempt, waitMs: jitteredMs, err: error },
          'hook event failed; retrying',
        );
        await sleep(jitteredMs);
      }
    }
  }

  private async handleUndecodable(event: UndecodableEvent): Promise<void> {
    const now = new Date();
    const message: FailedMessage = { ...event, eventId: undefined, correlationId: undefined };
    await this.deadLetter(message, event.error, 1, now);
  }

  private async deadLetter(
    message: FailedMessage,
    error: Error,
    attempts: number,
    firstFailedAt: Date,
  ): Promise<void> {
    const failure = { error: error.message, attempts, firstFailedAt, lastFailedAt: new Date() };
    await this.options.deadLetters.send(message, failure);
    this.options.metrics.hookEvents.inc({ outcome: 'dead_lettered' });
    this.log.error(
      {
        eventId: message.eventId,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        attempts,
        err: error,
      },
      'hook event dead-lettered',
    );
  }
}

function toTriggerEvent(event: DeliveredEvent): TriggerEvent {
  const { envelope } = event;
  if (!UUID.test(envelope.id)) {
    throw new PoisonEvent(`hook event id "${envelope.id}" is not a UUID`);
  }
  const data = HookEventDataSchema.safeParse(envelope.data);
  if (!data.success) {
    const issue = data.error.issues[0];
    throw new PoisonEvent(
      `hook event data is invalid: ${issue?.path.join('.') || 'data'}: ${issue?.message}`,
    );
  }
  return { ...data.data, id: envelope.id, correlationId: envelope.correlationid };
}

function isOutage(error: unknown): boolean {
  if (error instanceof AppError) return error.retriable && error.httpStatus === 503;
  return isConnectionError(error);
}
