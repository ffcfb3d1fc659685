/**
 * One run's task events (workflow.tasks) and its completion (workflow.completions):
 * CloudEvents keyed by workflow id, carrying the correlation id of whatever started the
 * run. An event is prepared first and stored by the write that makes it true (in
 * workflow_run_events: the run's history and the outbox, outbox/), then published once
 * that write committed. One run's
 * events are published in the order the engine made them (one key, one partition), its
 * completion after all its task events. Once one of them could not be published, the
 * rest of the run's events are left to the outbox sweeper too, which publishes them in
 * their order, so a completion never overtakes a task event waiting for the sweeper.
 */
import { createEnvelope } from '../../platform/events/envelope';
import {
  WORKFLOW_EVENT_TYPES,
  type WorkflowEventData,
  type WorkflowEventKind,
  isCompletion,
} from '../../platform/events/workflow-events';
import type { OutboxPublisher } from './outbox/outbox-publisher';
import type { StoredEvent } from './outbox/outbox-store';

export const WORKFLOW_EVENT_SOURCE = '/omninode/workflows';

export class RunEvents {
  private readonly published: Array<Promise<unknown>> = [];
  /** An event of this run is waiting for the sweeper: so do the ones after it. */
  private deferred = false;

  constructor(
    private readonly publisher: OutboxPublisher,
    private readonly run: { id: string; correlationId: string; hookEventId: string | null },
  ) {}

  /** The event as its write stores it: nothing is published yet. */
  prepare(event: Omit<WorkflowEventData, 'workflowId' | 'hookEventId'>): StoredEvent {
    const data: WorkflowEventData = {
      ...event,
      workflowId: this.run.id,
      ...(this.run.hookEventId === null ? {} : { hookEventId: this.run.hookEventId }),
    };
    return {
      topic: isCompletion(data.type) ? 'completions' : 'tasks',
      key: data.workflowId,
      envelope: createEnvelope({
        type: WORKFLOW_EVENT_TYPES[data.type as WorkflowEventKind],
        source: WORKFLOW_EVENT_SOURCE,
        subject: data.workflowId,
        correlationId: this.run.correlationId,
        data,
      }),
    };
  }

  /**
   * Publishes events whose write committed, in order; a completion waits for every event
   * of the run before it. Resolves when they were handled (published, or left to the
   * outbox sweeper).
   */
  publish(events: readonly StoredEvent[]): Promise<void> {
    for (const event of events) {
      const send = async () => {
        if (this.deferred) return;
        const outcome = await this.publisher.publish(event, 'direct');
        // A refused event will never be published: the ones after it need not wait for it.
        if (!outcome.published && !outcome.rejected) this.deferred = true;
      };
      this.published.push(event.topic === 'completions' ? this.flush().then(send) : send());
    }
    return this.flush();
  }

  /** Resolves when every event queued so far was handled. */
  async flush(): Promise<void> {
    await Promise.all(this.published);
  }
}
