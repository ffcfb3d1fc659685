/**
 * Workflow runs and their tasks in PostgreSQL. Reads are plain queries; every write made
 * while executing a run is fenced by the run's lease (see lease.ts) and is one short
 * statement, so no transaction is held while a task runs.
 */
import type { Queryable } from '../../platform/db/pool';
import type { WorkflowDefinition } from './definition';
import { FIRST_FENCING_TOKEN, type Lease, StaleLeaseError } from './lease';

export const WORKFLOW_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];
export type FinalWorkflowStatus = Extract<WorkflowStatus, 'completed' | 'failed' | 'cancelled'>;
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped';

export interface WorkflowRun {
  id: string;
  definitionName: string;
  definitionVersion: number;
  definition: WorkflowDefinition;
  input: unknown;
  status: WorkflowStatus;
  hookEventId: string | null;
  triggerEvent: unknown;
  correlationId: string;
  output: unknown;
  error: string | null;
  degraded: boolean;
  cancelRequested: boolean;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  fencingToken: number;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface TaskState {
  workflowId: string;
  taskId: string;
  type: string;
  status: TaskStatus;
  attempts: number;
  dependsOn: string[];
  input: unknown;
  output: unknown;
  error: string | null;
  degraded: boolean;
  invocationId: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface NewRun {
  id: string;
  definitionName: string;
  definitionVersion: number;
  definition: WorkflowDefinition;
  input: unknown;
  hookEventId: string | null;
  triggerEvent: unknown;
  correlationId: string;
  leaseOwner: string;
  leaseMs: number;
}

const RUN_COLUMNS = `id, definition_name, definition_version, definition, input, status, hook_event_id,
  trigger_event, correlation_id, output, error, degraded, cancel_requested, lease_owner,
  lease_expires_at, fencing_token, created_at, started_at, completed_at`;
const TASK_COLUMNS = `t.workflow_id, t.task_id, t.type, t.status, t.attempts, t.depends_on, t.input,
  t.output, t.error, t.degraded, t.invocation_id, t.started_at, t.completed_at`;

/**
 * Inserts the run (holding its lease, token 1) and its pending tasks, in one statement
 * (so the run never exists without its tasks, with no transaction to hold open), and
 * answers the run as stored. Nothing is inserted when the id, or the (hook event,
 * definition) pair, already has a run: `run` is undefined then.
 */
export async function insertRun(
  db: Queryable,
  run: NewRun,
): Promise<{ run: WorkflowRun | undefined }> {
  const inserted = await db.query<RunRow>(
    `WITH run AS (
       INSERT INTO workflows (id, definition_name, definition_version, definition, input, status,
         hook_event_id, trigger_event, correlation_id, lease_owner, lease_expires_at, fencing_token)
       VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, now() + $10 * interval '1 millisecond', $11)
       ON CONFLICT DO NOTHING
       RETURNING ${RUN_COLUMNS}
     ),
     tasks AS (
       INSERT INTO workflow_tasks (workflow_id, task_id, type, status, depends_on)
       SELECT run.id, t.task_id, t.type, 'pending', t.depends_on
       FROM run, jsonb_to_recordset($12::jsonb) AS t(task_id text, type text, depends_on text[])
     )
     SELECT * FROM run`,
    [
      run.id,
      run.definitionName,
      run.definitionVersion,
      JSON.stringify(run.definition),
      JSON.stringify(run.input ?? {}),
      run.hookEventId,
      run.triggerEvent === undefined ? null : JSON.stringify(run.triggerEvent),
      run.correlationId,
      run.leaseOwner,
      run.leaseMs,
      FIRST_FENCING_TOKEN,
      JSON.stringify(
        run.definition.tasks.map((task) => ({
          task_id: task.id,
          type: task.type,
          depends_on: task.dependsOn,
        })),
      ),
    ],
  );
  const row = inserted.rows[0];
  return { run: row ? toRun(row) : undefined };
}

/** The pending tasks of a run just inserted by insertRun, as findTasks would answer them. */
export function newRunTasks(run: WorkflowRun): TaskState[] {
  return run.definition.tasks.map((task) => ({
    workflowId: run.id,
    taskId: task.id,
    type: task.type,
    status: 'pending',
    attempts: 0,
    dependsOn: task.dependsOn,
    input: null,
    output: null,
    error: null,
    degraded: false,
    invocationId: null,
    startedAt: null,
    completedAt: null,
  }));
}

export async function findRun(db: Queryable, id: string): Promise<WorkflowRun | undefined> {
  const result = await db.query(`SELECT ${RUN_COLUMNS} FROM workflows WHERE id = $1`, [id]);
  return result.rows[0] ? toRun(result.rows[0]) : undefined;
}

export async function findRuns(db: Queryable, ids: readonly string[]): Promise<WorkflowRun[]> {
  const result = await db.query(`SELECT ${RUN_COLUMNS} FROM workflows WHERE id = ANY($1::uuid[])`, [
    ids,
  ]);
  return result.rows.map(toRun);
}

export async function findRunByTrigger(
  db: Queryable,
  hookEventId: string,
  definitionName: string,
): Promise<WorkflowRun | undefined> {
  const result = await db.query(
    `SELECT ${RUN_COLUMNS} FROM workflows WHERE hook_event_id = $1 AND definition_name = $2`,
    [hookEventId, definitionName],
  );
  return result.rows[0] ? toRun(result.rows[0]) : undefined;
}

export interface RunFilter {
  status?: WorkflowStatus | undefined;
  definitionName?: string | undefined;
  hookEventId?: string | undefined;
}

/** Newest first. */
export async function listRuns(
  db: Queryable,
  filter: RunFilter,
  limit: number,
): Promise<WorkflowRun[]> {
  const result = await db.query(
    `SELECT ${RUN_COLUMNS} FROM workflows
     WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR definition_name = $2)
       AND ($3::uuid IS NULL OR hook_event_id = $3)
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [filter.status ?? null, filter.definitionName ?? null, filter.hookEventId ?? null, limit],
  );
  return result.rows.map(toRun);
}

/** Tasks of several runs in definition order, for batched loading. */
export async function findTasks(
  db: Queryable,
  workflowIds: readonly string[],
): Promise<TaskState[]> {
  const result = await db.query(
    `SELECT ${TASK_COLUMNS} FROM workflow_tasks t
     JOIN workflows w ON w.id = t.workflow_id
     WHERE t.workflow_id = ANY($1::uuid[])
     ORDER BY t.workflow_id,
       (SELECT ordinality FROM jsonb_array_elements(w.definition -> 'tasks') WITH ORDINALITY e(task, ordinality)
        WHERE e.task ->> 'id' = t.task_id)`,
    [workflowIds],
  );
  return result.rows.map(toTask);
}

/** Asks a run to stop between tasks; answers the run's status afterwards. */
export async function requestCancel(
  db: Queryable,
  id: string,
): Promise<WorkflowStatus | undefined> {
  const result = await db.query<{ status: WorkflowStatus }>(
    `UPDATE workflows SET cancel_requested = true WHERE id = $1 RETURNING status`,
    [id],
  );
  return result.rows[0]?.status;
}

/**
 * The fenced writes a lease holder makes outside the group commit (run-writer.ts carries
 * the ones that change what observers see, with their events).
 */
export class FencedRunWriter {
  constructor(
    private readonly db: Queryable,
    readonly lease: Lease,
  ) {}

  /** Marks the run running and answers it as stored (cancelRequested included). */
  async markRunning(): Promise<WorkflowRun> {
    const result = await this.db.query<RunRow>(
      `UPDATE workflows SET status = 'running', started_at = COALESCE(started_at, now())
       WHERE id = $1 AND fencing_token = $2 AND status IN ('pending', 'running')
       RETURNING ${RUN_COLUMNS}`,
      [this.lease.workflowId, this.lease.fencingToken],
    );
    return toRun(this.expectRow(result.rows));
  }

  /** Tasks interrupted mid-attempt by a lost holder go back to pending; attempts are kept. */
  async resetInterruptedTasks(): Promise<void> {
    await this.updateTasks(`status = 'pending'`, `t.status = 'running'`, []);
  }

  /** Records a failed attempt that will be retried: the task stays running. */
  taskAttemptFailed(taskId: string, error: string): Promise<{ cancelRequested: boolean }> {
    return this.updateTask(taskId, `error = $4`, [error]);
  }

  async skipPendingTasks(): Promise<void> {
    await this.updateTasks(`status = 'skipped'`, `t.status = 'pending'`, []);
  }

  private async updateTask(
    taskId: string,
    assignments: string,
    params: unknown[],
  ): Promise<{ cancelRequested: boolean }> {
    const rows = await this.updateTasks(assignments, `t.task_id = $3`, [taskId, ...params]);
    return { cancelRequested: this.expectRow(rows).cancel_requested };
  }

  // One statement: lock the run row if it still carries our token, then update its tasks.
  private async updateTasks(
    assignments: string,
    condition: string,
    params: unknown[],
  ): Promise<Array<{ cancel_requested: boolean }>> {
    const result = await this.db.query<{ cancel_requested: boolean }>(
      `WITH fenced AS (
         SELECT id, cancel_requested FROM workflows
         WHERE id = $1 AND fencing_token = $2 AND status IN ('pending', 'running') FOR UPDATE
       )
       UPDATE workflow_tasks t SET ${assignments}
       FROM fenced WHERE t.workflow_id = fenced.id AND ${condition}
       RETURNING fenced.cancel_requested`,
      [this.lease.workflowId, this.lease.fencingToken, ...params],
    );
    if (result.rowCount === 0 && !(await this.stillHeld())) throw new StaleLeaseError(this.lease);
    return result.rows;
  }

  private async stillHeld(): Promise<boolean> {
    const result = await this.db.query(
      `SELECT 1 FROM workflows WHERE id = $1 AND fencing_token = $2 AND status IN ('pending', 'running')`,
      [this.lease.workflowId, this.lease.fencingToken],
    );
    return result.rowCount === 1;
  }

  private expectRow<T>(rows: T[]): T {
    const row = rows[0];
    if (row === undefined) throw new StaleLeaseError(this.lease);
    return row;
  }
}

interface RunRow {
  id: string;
  definition_name: string;
  definition_version: number;
  definition: WorkflowDefinition;
  input: unknown;
  status: WorkflowStatus;
  hook_event_id: string | null;
  trigger_event: unknown;
  correlation_id: string;
  output: unknown;
  error: string | null;
  degraded: boolean;
  cancel_requested: boolean;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  fencing_token: number;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
}

function toRun(row: RunRow): WorkflowRun {
  return {
    id: row.id,
    definitionName: row.definition_name,
    definitionVersion: row.definition_version,
    definition: row.definition,
    input: row.input,
    status: row.status,
    hookEventId: row.hook_event_id,
    triggerEvent: row.trigger_event,
    correlationId: row.correlation_id,
    output: row.output,
    error: row.error,
    degraded: row.degraded,
    cancelRequested: row.cancel_requested,
    leaseOwner: row.lease_owner,
    leaseExpiresAt: row.lease_expires_at,
    fencingToken: row.fencing_token,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

interface TaskRow {
  workflow_id: string;
  task_id: string;
  type: string;
  status: TaskStatus;
  attempts: number;
  depends_on: string[];
  input: unknown;
  output: unknown;
  error: string | null;
  degraded: boolean;
  invocation_id: string | null;
  started_at: Date | null;
  completed_at: Date | null;
}

function toTask(row: TaskRow): TaskState {
  return {
    workflowId: row.workflow_id,
    taskId: row.task_id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    dependsOn: row.depends_on,
    input: row.input,
    output: row.output,
    error: row.error,
    degraded: row.degraded,
    invocationId: row.invocation_id,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}
