/**
 * Moves a hook event to 'processed' or 'failed' when the workflow it triggered finishes:
 * consumes workflow.completions (group `hooks-status`) and updates the event and its
 * history. Idempotent: a completion delivered again changes nothing, because its
 * completion event id is already in the event's history.
 */
import type { Database } from '../../../platform/db/pool';
import { withTransaction } from '../../../platform/db/pool';
import type { DeliveredEvent, EventBus, Subscription } from '../../../platform/events/event-bus';
import { type WorkflowEventData, isCompletion } from '../../../platform/events/workflow-events';
import { Lifecycle } from '../../../platform/lifecycle';
import type { Logger } from '../../../platform/logger';
import type { Worker } from '../../../platform/service';
import { isEventId } from '../graphql/hook-loaders';
import type { HookMetrics } from '../hook-metrics';

export interface CompletionConsumerOptions {
  db: Database;
  bus: EventBus;
  /** Full name of workflow.completions (with the configured prefix). */
  topic: string;
  log: Logger;
  metrics: HookMetrics;
  /** @default hooks-status */
  groupId?: string;
}

export type CompletionOutcome = 'updated' | 'already-recorded' | 'unknown-event' | 'not-a-hook-run';

export class CompletionConsumer implements Worker {
  readonly name = 'hooks-completion-consumer';
  private readonly lifecycle = new Lifecycle('hooks-completion-consumer');
  private readonly log: Logger;
  private subscription: Subscription | undefined;

  constructor(private readonly options: CompletionConsumerOptions) {
    this.log = options.log.child({ component: 'hooks-completion-consumer' });
  }

  start(): Promise<void> {
    return this.lifecycle.start(async () => {
      this.subscription = await this.options.bus.subscribe({
        groupId: this.options.groupId ?? 'hooks-status',
        topics: [this.options.topic],
        fromBeginning: true,
        handle: async (event) => {
          await this.handle(event);
        },
        handleUndecodable: async (event) => {
          this.log.warn(
            { topic: event.topic, offset: event.offset, err: event.error },
            'undecodable completion skipped',
          );
        },
      });
    });
  }

  stop(): Promise<void> {
    return this.lifecycle.stop(async () => {
      await this.subscription?.stop();
    });
  }

  async handle(event: DeliveredEvent): Promise<CompletionOutcome> {
    const data = event.envelope.data as Partial<WorkflowEventData> | null;
    if (!data?.type || !isCompletion(data.type) || typeof data.hookEventId !== 'string') {
      return 'not-a-hook-run';
    }
    // A malformed id would fail the query on every redelivery and stall the partition.
    if (!isEventId(data.hookEventId)) return 'unknown-event';
    const status = data.type === 'WORKFLOW_COMPLETED' ? 'processed' : 'failed';
    const outcome = await applyCompletion(this.options.db, {
      hookEventId: data.hookEventId,
      status,
      completionId: event.envelope.id,
      detail: {
        completion_id: event.envelope.id,
        workflow_id: data.workflowId,
        workflow_status: data.status,
        ...(data.error === undefined ? {} : { error: data.error }),
      },
    });
    if (outcome === 'updated') this.options.metrics.statusUpdates.inc({ status });
    if (outcome === 'unknown-event') {
      this.log.warn(
        { hookEventId: data.hookEventId, workflowId: data.workflowId },
        'completion for an unknown hook event',
      );
    }
    return outcome;
  }
}

/**
 * One short transaction: lock the event row, skip if this completion is recorded, else set
 * the status and add the history row. A failure of any workflow of the event wins over a
 * success: 'failed' is never turned back into 'processed'.
 */
async function applyCompletion(
  db: Database,
  completion: {
    hookEventId: string;
    status: 'processed' | 'failed';
    completionId: string;
    detail: Record<string, unknown>;
  },
): Promise<CompletionOutcome> {
  return withTransaction(db, async (client) => {
    const locked = await client.query<{ status: string }>(
      'SELECT status FROM hook_events WHERE id = $1 FOR UPDATE',
      [completion.hookEventId],
    );
    const current = locked.rows[0];
    if (!current) return 'unknown-event';
    const seen = await client.query(
      `SELECT 1 FROM hook_event_history
       WHERE event_id = $1 AND detail->>'completion_id' = $2 LIMIT 1`,
      [completion.hookEventId, completion.completionId],
    );
    if ((seen.rowCount ?? 0) > 0) return 'already-recorded';

    const next = current.status === 'failed' ? 'failed' : completion.status;
    await client.query('UPDATE hook_events SET status = $2, updated_at = now() WHERE id = $1', [
      completion.hookEventId,
      next,
    ]);
    await client.query(
      'INSERT INTO hook_event_history (event_id, status, detail) VALUES ($1, $2, $3)',
      [completion.hookEventId, completion.status, JSON.stringify(completion.detail)],
    );
    return 'updated';
  });
}
