/**
 * Publishes one run's task events (workflow.tasks) and its completion
 * (workflow.completions): CloudEvents keyed by workflow id, carrying the correlation id of
 * whatever started the run. Publishes of one run are chained, so a consumer sees them in
 * the order the engine made them (one key, one partition), completion last.
 */
import { createEnvelope } from '../../platform/events/envelope';
import {
  WORKFLOW_EVENT_TYPES,
  type WorkflowEventData,
  type WorkflowEventKind,
  isCompletion,
} from '../../platform/events/workflow-events';
import type { Logger } from '../../platform/logger';
import type { EventBatcher } from './event-batcher';

export const WORKFLOW_EVENT_SOURCE = '/omninode/workflows';

export interface RunEventTopics {
  tasks: string;
  completions: string;
}

export class RunEvents {
  private readonly published: Array<Promise<void>> = [];

  constructor(
    private readonly batcher: EventBatcher,
    private readonly topics: RunEventTopics,
    private readonly run: { id: string; correlationId: string; hookEventId: string | null },
    private readonly log: Logger,
  ) {}

  /** Queues the event; resolves once it was published (or given up on and logged). */
  publish(event: Omit<WorkflowEventData, 'workflowId' | 'hookEventId'>): Promise<void> {
    const data: WorkflowEventData = {
      ...event,
      workflowId: this.run.id,
      ...(this.run.hookEventId === null ? {} : { hookEventId: this.run.hookEventId }),
    };
    const completion = isCompletion(data.type);
    const send = () => this.send(data, completion ? this.topics.completions : this.topics.tasks);
    const done = completion ? this.flush().then(send) : send();
    this.published.push(done);
    return done;
  }

  /** Resolves when every event queued so far was handled. */
  async flush(): Promise<void> {
    await Promise.all(this.published);
  }

  // TODO(issue 4): events are published after the state write, not through an outbox: a
  // coordinator that dies between the two loses that event (the stored state is right).
  // It matters for subscribers only; a workflow_events outbox would close the gap.
  private async send(data: WorkflowEventData, topic: string): Promise<void> {
    const envelope = createEnvelope({
      type: WORKFLOW_EVENT_TYPES[data.type as WorkflowEventKind],
      source: WORKFLOW_EVENT_SOURCE,
      subject: data.workflowId,
      correlationId: this.run.correlationId,
      data,
    });
    try {
      await this.batcher.publish(topic, { envelope, key: data.workflowId });
    } catch (error) {
      this.log.error(
        { err: error, workflowId: data.workflowId, eventType: data.type },
        'workflow event not published',
      );
    }
  }
}
