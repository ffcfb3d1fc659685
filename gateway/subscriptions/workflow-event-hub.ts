/**
 * Feeds subscriptions from Kafka: this gateway replica consumes workflow.tasks and
 * workflow.completions with a consumer group of its own (every replica sees every
 * event) and fans each event out to the local subscribers whose filter matches, once per
 * event id (delivery is at least once).
 */
import { randomUUID } from 'node:crypto';

import type { EventBus, Subscription } from '../../platform/events/event-bus';
import type { EventEnvelope } from '../../platform/events/envelope';
import type { WorkflowEventData } from '../../platform/events/workflow-events';
import type { Logger } from '../../platform/logger';
import type { Worker } from '../../platform/service';
import { BoundedEventStream } from './bounded-event-stream';
import { RecentIds } from './recent-ids';

/** The payload of a WorkflowEvent subscription field, before `workflow` is resolved. */
export interface WorkflowEventPayload extends WorkflowEventData {
  id: string;
  correlationId: string;
  occurredAt: string;
}

export type WorkflowEventFilter = (event: WorkflowEventPayload) => boolean;

/** Event ids remembered to drop redeliveries: minutes of events at this system's rates. */
const REMEMBERED_EVENT_IDS = 20_000;

interface Listener {
  filter: WorkflowEventFilter;
  stream: BoundedEventStream<WorkflowEventPayload>;
}

export class WorkflowEventHub implements Worker {
  readonly name = 'workflow-event-hub';
  private readonly listeners = new Set<Listener>();
  private readonly seen = new RecentIds(REMEMBERED_EVENT_IDS);
  private subscription: Subscription | undefined;
  private readonly log: Logger;

  constructor(
    private readonly options: {
      bus: EventBus;
      topics: string[];
      log: Logger;
      bufferSize: number;
      /** @default a random id: each replica has its own group */
      instanceId?: string;
    },
  ) {
    this.log = options.log.child({ component: this.name });
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  async start(): Promise<void> {
    const groupId = `gateway-subscriptions-${this.options.instanceId ?? randomUUID()}`;
    this.subscription = await this.options.bus.subscribe({
      groupId,
      topics: this.options.topics,
      fromBeginning: false,
      handle: async ({ envelope }) => this.dispatch(envelope as EventEnvelope<WorkflowEventData>),
    });
    this.log.info({ groupId, topics: this.options.topics }, 'subscription feed started');
  }

  async stop(): Promise<void> {
    for (const listener of this.listeners) listener.stream.return();
    this.listeners.clear();
    await this.subscription?.stop();
  }

  /** A stream of matching events; ending it (iterator return) removes the listener. */
  listen(filter: WorkflowEventFilter): AsyncIterableIterator<WorkflowEventPayload> {
    const listener: Listener = {
      filter,
      stream: new BoundedEventStream(this.options.bufferSize, () =>
        this.listeners.delete(listener),
      ),
    };
    this.listeners.add(listener);
    return listener.stream;
  }

  private dispatch(envelope: EventEnvelope<WorkflowEventData>): void {
    const data = envelope.data;
    if (!data || typeof data.workflowId !== 'string' || typeof data.type !== 'string') {
      this.log.warn(
        { eventId: envelope.id, type: envelope.type },
        'workflow event without workflowId or type skipped',
      );
      return;
    }
    if (!this.seen.firstSighting(envelope.id)) {
      this.log.debug({ eventId: envelope.id }, 'redelivered workflow event dropped');
      return;
    }
    const payload: WorkflowEventPayload = {
      ...data,
      degraded: data.degraded ?? false,
      id: envelope.id,
      correlationId: envelope.correlationid,
      occurredAt: envelope.time,
    };
    for (const listener of this.listeners) {
      if (listener.filter(payload)) listener.stream.push(payload);
    }
  }
}
