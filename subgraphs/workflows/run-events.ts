/**
 * Publishes one run's task events (workflow.tasks) and its completion
 * (workflow.completions): CloudEvents keyed by workflow id, carrying the correlation id of
 * whatever started the run. Publishes of one run are chained, so a consumer sees them in
 * the order the engine made them (one key, one partition), completion last.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { createEnvelope } from '../../platform/events/envelope';
import type { EventBus } from '../../platform/events/event-bus';
import {
  WORKFLOW_EVENT_TYPES,
  type WorkflowEventData,
  type WorkflowEventKind,
  isCompletion,
} from '../../platform/events/workflow-events';
import type { Logger } from '../../platform/logger';

export const WORKFLOW_EVENT_SOURCE = '/omninode/workflows';

export interface RunEventTopics {
  tasks: string;
  completions: string;
}

const PUBLISH_ATTEMPTS = 5;
const PUBLISH_RETRY_FIRST_MS = 100;

export class RunEvents {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: EventBus,
    private readonly topics: RunEventTopics,
    private readonly run: { id: string; correlationId: string; hookEventId: string | null },
    private readonly log: Logger,
  ) {}

  /** Queues the event; resolves once it (and everything queued before it) was published. */
  publish(event: Omit<WorkflowEventData, 'workflowId' | 'hookEventId'>): Promise<void> {
    const data: WorkflowEventData = {
      ...event,
      workflowId: this.run.id,
      ...(this.run.hookEventId === null ? {} : { hookEventId: this.run.hookEventId }),
    };
    this.chain = this.chain.then(() => this.publishWithRetry(data));
    return this.chain;
  }

  /** Resolves when every queued event was handled. */
  flush(): Promise<void> {
    return this.chain;
  }

  // TODO(issue 4): events are published after the state write, not through an outbox: a
  // coordinator that dies between the two loses that event (the stored state is right).
  // It matters for subscribers only; a workflow_events outbox would close the gap.
  private async publishWithRetry(data: WorkflowEventData): Promise<void> {
    const topic = isCompletion(data.type) ? this.topics.completions : this.topics.tasks;
    const envelope = createEnvelope({
      type: WORKFLOW_EVENT_TYPES[data.type as WorkflowEventKind],
      source: WORKFLOW_EVENT_SOURCE,
      subject: data.workflowId,
      correlationId: this.run.correlationId,
      data,
    });
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.bus.publish(topic, [{ envelope, key: data.workflowId }]);
        return;
      } catch (error) {
        if (attempt >= PUBLISH_ATTEMPTS) {
          this.log.error(
            { err: error, workflowId: data.workflowId, eventType: data.type, attempts: attempt },
            'workflow event not published',
          );
          return;
        }
        await sleep(PUBLISH_RETRY_FIRST_MS * 2 ** (attempt - 1));
      }
    }
  }
}
