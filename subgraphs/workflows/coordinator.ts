/**
 * The workflow coordinator: creates runs (from an execute request or from a hook event's
 * triggers) durably and with their lease, then hands them to the engine without waiting;
 * takes over runs whose holder died; relays cancel requests.
 */
import { randomUUID } from 'node:crypto';

import { type Database, withTransaction } from '../../platform/db/pool';
import { AppError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { type WorkflowDefinition, parseDefinition } from './definition';
import { findTriggeredDefinitions, requireDefinition } from './definition-store';
import type { WorkflowEngine } from './engine';
import { WorkflowErrors } from './errors';
import { FIRST_FENCING_TOKEN, acquireExpiredLease, findOrphanedRuns } from './lease';
import { RunCreationBatcher } from './run-creator';
import { type WorkflowRun, findRun, findRunByTrigger, insertRun, requestCancel } from './run-store';
import type { WorkflowMetrics } from './workflow-metrics';

/** Version recorded for a run of an inline definition that was never stored. */
export const INLINE_DEFINITION_VERSION = 0;

export interface ExecuteRequest {
  definitionName?: string | undefined;
  definition?: unknown;
  input?: unknown;
  /** A UUID chosen by the client; repeating it returns the same run. */
  workflowId?: string | undefined;
  correlationId: string;
}

/** What templates see as `event`: the hook event's data plus its id and correlation id. */
export interface TriggerEvent {
  id: string;
  correlationId: string;
  source: string;
  action: string;
  [field: string]: unknown;
}

export interface CoordinatorOptions {
  db: Database;
  engine: WorkflowEngine;
  /** This coordinator's name in lease_owner. */
  owner: string;
  leaseMs: number;
  log: Logger;
  metrics: WorkflowMetrics;
  /**
   * Refuses an execute request before its run is created, by throwing an AppError (e.g.
   * 503 while a dependency the definition needs is down and degradation is strict).
   */
  admit?: (definition: WorkflowDefinition) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ORPHANS_PER_SWEEP = 20;
/** Distinct inline definitions remembered; the cache starts over when it is full. */
const PARSED_INLINE_DEFINITIONS = 100;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export class WorkflowCoordinator {
  private readonly log: Logger;
  private readonly creations: RunCreationBatcher;
  /** Valid inline definitions by their JSON text (parseInline). */
  private readonly parsedInline = new Map<string, WorkflowDefinition>();

  constructor(private readonly options: CoordinatorOptions) {
    this.log = options.log.child({ component: 'workflow-coordinator' });
    this.creations = new RunCreationBatcher(options.db);
  }

  get owner(): string {
    return this.options.owner;
  }

  /** Validates, creates the run and starts it; resolves before the run executes. */
  async execute(request: ExecuteRequest): Promise<{ run: WorkflowRun; created: boolean }> {
    const workflowId = request.workflowId ?? randomUUID();
    if (!UUID.test(workflowId)) {
      throw new AppError(WorkflowErrors.VALIDATION_FAILED, 'workflowId must be a UUID.', {
        field_errors: { workflow_id: 'must be a UUID' },
      });
    }
    const { name, version, definition } = await this.resolveDefinition(request);
    this.options.admit?.(definition);

    // One statement creates the run with its tasks (grouped with the runs other requests
    // create meanwhile, run-creator.ts) and answers it: no transaction needed.
    const inserted = await this.creations.insert({
      id: workflowId,
      definitionName: name,
      definitionVersion: version,
      definition,
      input: request.input ?? {},
      correlationId: request.correlationId,
      leaseOwner: this.options.owner,
      leaseMs: this.options.leaseMs,
    });
    const created = inserted !== undefined;
    const run = inserted ?? (await findRun(this.options.db, workflowId));
    if (!run) throw new Error(`workflow ${workflowId} vanished after its insert`);
    if (!created && run.definitionName !== name) {
      throw new AppError(
        WorkflowErrors.WORKFLOW_ID_CONFLICT,
        `Workflow ${workflowId} already runs definition "${run.definitionName}", not "${name}".`,
      );
    }
    if (created) {
      this.options.metrics.runsStarted.inc({ origin: 'execute' });
      this.dispatch(run);
    }
    return { run, created };
  }

  /**
   * Starts every triggered workflow for one hook event, at most once per (event,
   * definition) however often the event is delivered. The runs and the consumer's
   * processed-event record are written in one transaction; execution starts after it.
   */
  async startForHookEvent(
    event: TriggerEvent,
  ): Promise<{ outcome: string; workflowIds: string[] }> {
    const result = await withTransaction(this.options.db, async (client) => {
      const first = await client.query(
        `INSERT INTO processed_events (consumer, event_id, outcome) VALUES ($1, $2, 'processing')
         ON CONFLICT DO NOTHING`,
        [CONSUMER_NAME, event.id],
      );
      if (first.rowCount !== 1) return { outcome: 'duplicate', runs: [] };

      const definitions = await findTriggeredDefinitions(client, event.source, event.action);
      const runs: WorkflowRun[] = [];
      for (const stored of definitions) {
        const id = randomUUID();
        const { run } = await insertRun(client, {
          id,
          definitionName: stored.name,
          definitionVersion: stored.version,
          definition: stored.definition,
          input: {},
          hookEventId: event.id,
          triggerEvent: event,
          correlationId: event.correlationId,
          leaseOwner: this.options.owner,
          leaseMs: this.options.leaseMs,
        });
        if (run) runs.push(run);
      }
      const outcome =
        definitions.length === 0
          ? 'no trigger'
          : `started ${definitions.map((d) => d.name).join(', ')}`;
      await client.query(
        `UPDATE processed_events SET outcome = $3 WHERE consumer = $1 AND event_id = $2`,
        [CONSUMER_NAME, event.id, outcome],
      );
      return { outcome, runs };
    });
    for (const run of result.runs) {
      this.options.metrics.runsStarted.inc({ origin: 'hook_event' });
      this.dispatch(run);
    }
    return { outcome: result.outcome, workflowIds: result.runs.map((run) => run.id) };
  }

  /** Asks a run to stop between tasks; answers the run as stored afterwards. */
  async cancel(workflowId: string): Promise<WorkflowRun> {
    const status = await requestCancel(this.options.db, workflowId);
    if (status === undefined) {
      throw new AppError(WorkflowErrors.WORKFLOW_NOT_FOUND, `No workflow ${workflowId}.`);
    }
    this.options.engine.notifyCancel(workflowId);
    return (await findRun(this.options.db, workflowId)) as WorkflowRun;
  }

  /** Takes over unfinished runs whose lease expired (their coordinator died or stalled). */
  async resumeOrphans(): Promise<number> {
    const candidates = await findOrphanedRuns(this.options.db, ORPHANS_PER_SWEEP);
    let resumed = 0;
    for (const id of candidates) {
      if (this.options.engine.isActive(id)) continue;
      const lease = await acquireExpiredLease(
        this.options.db,
        id,
        this.options.owner,
        this.options.leaseMs,
      );
      if (!lease) continue;
      resumed += 1;
      this.options.metrics.runsResumed.inc();
      this.log.info({ workflowId: id, fencingToken: lease.fencingToken }, 'resuming orphaned run');
      void this.options.engine.execute(lease);
    }
    return resumed;
  }

  /** Finds the run a hook event started for a definition (tests, diagnostics). */
  findRunForHookEvent(
    hookEventId: string,
    definitionName: string,
  ): Promise<WorkflowRun | undefined> {
    return findRunByTrigger(this.options.db, hookEventId, definitionName);
  }

  /**
   * Validates an inline definition, reusing the result for the same JSON text: clients
   * send the same few definitions with every request, and validation (schema, cycles,
   * templates) costs more than serializing the text. Cached definitions are frozen, so a
   * run cannot change what another run of the same text sees.
   */
  private parseInline(raw: unknown): WorkflowDefinition {
    const text = JSON.stringify(raw);
    const cached = this.parsedInline.get(text);
    if (cached) return cached;
    const definition = deepFreeze(parseDefinition(raw));
    if (this.parsedInline.size >= PARSED_INLINE_DEFINITIONS) this.parsedInline.clear();
    this.parsedInline.set(text, definition);
    return definition;
  }

  /** Hands a run this coordinator just created (with its lease) to the engine. */
  private dispatch(run: WorkflowRun): void {
    void this.options.engine.execute(
      { workflowId: run.id, owner: this.options.owner, fencingToken: FIRST_FENCING_TOKEN },
      run,
    );
  }

  private async resolveDefinition(
    request: ExecuteRequest,
  ): Promise<{ name: string; version: number; definition: WorkflowDefinition }> {
    const hasInline = request.definition !== undefined && request.definition !== null;
    const hasName = request.definitionName !== undefined && request.definitionName !== null;
    if (hasInline === hasName) {
      throw new AppError(
        WorkflowErrors.VALIDATION_FAILED,
        'Give exactly one of definitionName (a stored definition) or definition (inline).',
      );
    }
    if (hasInline) {
      const definition = this.parseInline(request.definition);
      return { name: definition.name, version: INLINE_DEFINITION_VERSION, definition };
    }
    const stored = await requireDefinition(this.options.db, request.definitionName as string);
    return { name: stored.name, version: stored.version, definition: stored.definition };
  }
}

/** The consumer name in processed_events, the same as its Kafka consumer group. */
export const CONSUMER_NAME = 'workflow-coordinators';
