/**
 * The task engine: executes one run's DAG while holding its lease. Tasks whose
 * dependencies completed start at once, in parallel; each attempt is recorded before and
 * after it runs, each record storing the events that announce it in the same statement
 * (the workflow event outbox), published once it committed (the run does not wait for
 * Kafka; its completion is published after all its task events). A failed task (after its
 * retries) or a cancel request stops new tasks from starting; tasks already running
 * finish, the rest are skipped, and the run's completion is published last.
 *
 * A run ends in one of three ways: finished (completed, failed or cancelled, written and
 * published), lost (another coordinator took the lease: stop quietly, it carries on), or
 * interrupted (shutdown or a database outage: leave the stored state, whose lease expires
 * and is taken over, without re-running completed tasks).
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { Database } from '../../platform/db/pool';
import type { Logger } from '../../platform/logger';
import { type TaskDefinition, isTaskType } from './definition';
import { FIRST_FENCING_TOKEN, type Lease, StaleLeaseError, expireLease, renewLease } from './lease';
import { type ResolvedRetryPolicy, backoffMs, resolveRetryPolicy } from './retry-policy';
import type { OutboxPublisher } from './outbox/outbox-publisher';
import type { StoredEvent } from './outbox/outbox-store';
import { RunEvents } from './run-events';
import {
  type FinalWorkflowStatus,
  FencedRunWriter,
  type TaskState,
  type WorkflowRun,
  findTasks,
  newRunTasks,
} from './run-store';
import { type RunCompletion, type RunWrite, RunWriteBatcher } from './run-writer';
import { TaskFailure, type TaskRunners } from './tasks/task-runner';
import { TemplateError, type TemplateScope, renderTemplate } from './template';
import type { WorkflowMetrics } from './workflow-metrics';

export interface EngineOptions {
  db: Database;
  /** Publishes the events a committed write stored. */
  events: OutboxPublisher;
  /** How long stored events are left to this engine before the outbox sweeper may publish them. */
  outboxGraceMs?: number;
  runners: TaskRunners;
  leaseMs: number;
  modelInferenceTimeoutMs: number;
  log: Logger;
  metrics: WorkflowMetrics;
}

type TaskResult =
  | {
      kind: 'completed';
      output: unknown;
      degraded: boolean;
      /** The completion write also completed the run (it was the last task). */
      finishedRun: boolean;
      /** A cancel was requested meanwhile: start nothing new. */
      cancelRequested: boolean;
    }
  | { kind: 'failed'; error: string }
  | { kind: 'cancelled' };

interface ActiveRun {
  lease: Lease;
  controller: AbortController;
  cancel(): void;
  done: Promise<void>;
}

class RunInterrupted extends Error {
  override name = 'RunInterrupted';
}

export class WorkflowEngine {
  private readonly active = new Map<string, ActiveRun>();
  private readonly log: Logger;
  /** The hot-path writes of every run executing here, committed together (run-writer.ts). */
  private readonly writes: RunWriteBatcher;

  constructor(private readonly options: EngineOptions) {
    this.log = options.log.child({ component: 'task-engine' });
    this.writes = new RunWriteBatcher(options.db, options.outboxGraceMs);
  }

  /** Runs currently executing in this process. */
  get activeCount(): number {
    return this.active.size;
  }

  isActive(workflowId: string): boolean {
    return this.active.has(workflowId);
  }

  /**
   * Starts executing a run whose lease `lease` holds; returns without waiting for it.
   * `created` is the run as its creator just inserted it (pending, token 1, no task
   * started): the engine then needs no read before the first task starts.
   */
  execute(lease: Lease, created?: WorkflowRun): Promise<void> {
    const existing = this.active.get(lease.workflowId);
    if (existing) return existing.done;
    const controller = new AbortController();
    let cancelRequested = false;
    let wake: () => void = () => undefined;
    const state = {
      isCancelRequested: () => cancelRequested,
      waitForWake: () => new Promise<void>((resolve) => (wake = resolve)),
    };
    const done = this.runToEnd(lease, controller, state, created).finally(() => {
      this.active.delete(lease.workflowId);
    });
    this.active.set(lease.workflowId, {
      lease,
      controller,
      cancel: () => {
        cancelRequested = true;
        wake();
      },
      done,
    });
    return done;
  }

  /** Tells a run executing here that a cancel was requested, so it stops without waiting. */
  notifyCancel(workflowId: string): void {
    this.active.get(workflowId)?.cancel();
  }

  /**
   * Interrupts every run executing here, waits until they stopped writing, then lets
   * their leases expire now so another coordinator resumes them without waiting.
   */
  async stop(): Promise<void> {
    const runs = [...this.active.entries()];
    for (const [, run] of runs) run.controller.abort(new RunInterrupted('coordinator stopping'));
    await Promise.allSettled(runs.map(([, run]) => run.done));
    await Promise.allSettled(runs.map(([, run]) => expireLease(this.options.db, run.lease)));
    await this.options.events.flush();
  }

  private async runToEnd(
    lease: Lease,
    controller: AbortController,
    state: { isCancelRequested(): boolean; waitForWake(): Promise<void> },
    created: WorkflowRun | undefined,
  ): Promise<void> {
    const log = this.log.child({ workflowId: lease.workflowId, fencingToken: lease.fencingToken });
    const renewal = this.startRenewal(lease, controller, log);
    try {
      await this.runDag(lease, controller.signal, state, log, created);
    } catch (error) {
      if (error instanceof StaleLeaseError || controller.signal.reason instanceof StaleLeaseError) {
        this.options.metrics.staleWrites.inc();
        log.warn({ err: error }, 'lease lost; another coordinator continues the run');
      } else if (controller.signal.aborted) {
        log.info('run interrupted; its lease will expire and another coordinator resumes it');
      } else {
        log.error(
          { err: error },
          'run stopped by an unexpected error; it resumes after its lease expires',
        );
      }
    } finally {
      clearInterval(renewal);
    }
  }

  private startRenewal(lease: Lease, controller: AbortController, log: Logger): NodeJS.Timeout {
    const timer = setInterval(
      () => {
        renewLease(this.options.db, lease, this.options.leaseMs).then(
          (held) => {
            if (!held && !controller.signal.aborted) controller.abort(new StaleLeaseError(lease));
          },
          (error: unknown) => log.warn({ err: error }, 'lease renewal failed; retrying'),
        );
      },
      Math.max(Math.floor(this.options.leaseMs / 3), 10),
    );
    timer.unref();
    return timer;
  }

  private async runDag(
    lease: Lease,
    signal: AbortSignal,
    state: { isCancelRequested(): boolean; waitForWake(): Promise<void> },
    log: Logger,
    created: WorkflowRun | undefined,
  ): Promise<void> {
    const { db } = this.options;
    const writer = new FencedRunWriter(db, lease);
    let run: WorkflowRun;
    let taskList: TaskState[];
    if (created) {
      // Just inserted by this coordinator: its first task write marks it running.
      run = created;
      taskList = newRunTasks(created);
    } else {
      // Only a takeover (token above the creator's) can find tasks a lost holder left running.
      if (lease.fencingToken > FIRST_FENCING_TOKEN) await writer.resetInterruptedTasks();
      run = await writer.markRunning();
      taskList = await findTasks(db, [run.id]);
    }
    let cancelRequested = run.cancelRequested;
    const tasks = new Map(taskList.map((task) => [task.taskId, task]));
    const events = new RunEvents(this.options.events, run);
    const hotWriter = new HotPathWriter(this.writes, lease, events, created !== undefined);

    const definitions = new Map(run.definition.tasks.map((task) => [task.id, task]));
    const inFlight = new Map<string, Promise<void>>();
    let failure: string | undefined;
    // A lost lease or a database outage: stop starting tasks, let the running ones end, throw.
    let fatal: unknown;
    let degraded = [...tasks.values()].some((task) => task.degraded);
    // The last task's completion carries the run's completion: one write for both.
    let finishedWithLastTask = false;
    const completionIfLast = (
      taskId: string,
      output: unknown,
      taskDegraded: boolean,
    ): RunCompletion | undefined => {
      const others = [...tasks.values()].filter((task) => task.taskId !== taskId);
      if (!others.every((task) => task.status === 'completed')) return undefined;
      const outputs = new Map(tasks);
      outputs.set(taskId, { ...(tasks.get(taskId) as TaskState), output });
      return {
        status: 'completed',
        output: sinkOutputs(run, outputs),
        degraded: degraded || taskDegraded,
      };
    };

    for (;;) {
      cancelRequested ||= state.isCancelRequested();
      if (!failure && !cancelRequested && fatal === undefined) {
        for (const task of readyTasks(tasks, inFlight)) {
          const definition = definitions.get(task.taskId) as TaskDefinition;
          const started = this.runTask(
            run,
            definition,
            task,
            tasks,
            writer,
            hotWriter,
            completionIfLast,
            events,
            signal,
            log,
          ).then(
            (result) => {
              inFlight.delete(task.taskId);
              switch (result.kind) {
                case 'completed':
                  task.status = 'completed';
                  task.output = result.output;
                  degraded ||= result.degraded;
                  finishedWithLastTask ||= result.finishedRun;
                  if (result.cancelRequested) cancelRequested = true;
                  break;
                case 'failed':
                  task.status = 'failed';
                  failure ??= `task ${task.taskId} failed: ${result.error}`;
                  break;
                case 'cancelled':
                  cancelRequested = true;
                  break;
              }
            },
            (error: unknown) => {
              inFlight.delete(task.taskId);
              fatal ??= error;
            },
          );
          inFlight.set(task.taskId, started);
          task.status = 'running';
        }
      }
      if (inFlight.size === 0) {
        if (fatal !== undefined) throw fatal;
        break;
      }
      // Wakes on a finished task, or on a cancel request made in this process.
      await Promise.race([...inFlight.values(), state.waitForWake()]);
      if (signal.aborted) throw signal.reason;
    }

    // Unless the last task's completion already finished the run, finish it now.
    let status: FinalWorkflowStatus = 'completed';
    if (!finishedWithLastTask) {
      const allCompleted = [...tasks.values()].every((task) => task.status === 'completed');
      status = allCompleted ? 'completed' : failure ? 'failed' : 'cancelled';
      if (status !== 'completed') await writer.skipPendingTasks();
      const completion: RunCompletion = {
        status,
        output: allCompleted ? sinkOutputs(run, tasks) : undefined,
        error: failure,
        degraded,
      };
      await hotWriter.write({ finish: completion, events: [completionEvent(events, completion)] });
    }
    this.options.metrics.runsFinished.inc({ status });
    log.info({ status }, 'workflow finished');
    await events.flush();
  }

  /** Every attempt of one task, with its retries; records and publishes each step. */
  private async runTask(
    run: WorkflowRun,
    definition: TaskDefinition,
    task: TaskState,
    tasks: Map<string, TaskState>,
    writer: FencedRunWriter,
    hotWriter: HotPathWriter,
    completionIfLast: (
      taskId: string,
      output: unknown,
      degraded: boolean,
    ) => RunCompletion | undefined,
    events: RunEvents,
    runSignal: AbortSignal,
    log: Logger,
  ): Promise<TaskResult> {
    if (!isTaskType(definition.type)) throw new Error(`unknown task type ${definition.type}`);
    const type = definition.type;
    const policy: ResolvedRetryPolicy = resolveRetryPolicy(
      { ...definition, type },
      { modelInferenceTimeoutMs: this.options.modelInferenceTimeoutMs },
    );
    // A resumed task keeps its attempt count; an interrupted attempt still earns a new one.
    const firstAttempt = task.attempts + 1;
    const lastAttempt = Math.max(policy.maxAttempts, firstAttempt);
    const taskLog = log.child({ taskId: task.taskId, type });
    // A pure task (no side effect, same input same output) is not recorded as started
    // before it runs: its start and completion are one write. Should the coordinator die
    // in between, nothing records the attempt, and the next holder simply runs it again.
    const pure = PURE_TASK_TYPES.has(type);
    const startedEvent = (attempt: number) =>
      events.prepare({
        type: 'TASK_STARTED',
        taskId: task.taskId,
        status: 'running',
        attempt,
        degraded: false,
      });

    for (let attempt = firstAttempt; ; attempt += 1) {
      let input: unknown;
      let renderError: string | undefined;
      try {
        input = renderTemplate(definition.input ?? null, templateScope(run, tasks));
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error;
        renderError = error.message;
      }
      const recordStart = async (): Promise<boolean> => {
        const started = await hotWriter.write({
          taskId: task.taskId,
          taskStatus: 'running',
          attempt: { number: attempt, input },
          events: [startedEvent(attempt)],
        });
        return !started.cancelRequested;
      };
      if (!pure && !(await recordStart())) return { kind: 'cancelled' };

      const startedAt = performance.now();
      const outcome = renderError
        ? ({ kind: 'failure', error: new TaskFailure(renderError, false) } as const)
        : await this.attempt(
            type,
            input,
            run.id,
            task.taskId,
            attempt,
            lastAttempt,
            policy,
            runSignal,
            taskLog,
          );
      this.options.metrics.taskDuration.observe({ type }, (performance.now() - startedAt) / 1000);
      if (runSignal.aborted) throw runSignal.reason;

      if (outcome.kind === 'success') {
        this.options.metrics.taskAttempts.inc({ type, outcome: 'completed' });
        const degraded = outcome.value.degraded ?? false;
        const finish = completionIfLast(task.taskId, outcome.value.output, degraded);
        const completedEvent = events.prepare({
          type: 'TASK_COMPLETED',
          taskId: task.taskId,
          status: 'completed',
          attempt,
          degraded,
        });
        const completed = await hotWriter.write({
          taskId: task.taskId,
          taskStatus: 'completed',
          ...(pure ? { attempt: { number: attempt, input } } : {}),
          outcome: { ...outcome.value, degraded },
          finish,
          events: [
            ...(pure ? [startedEvent(attempt)] : []),
            completedEvent,
            ...(finish ? [completionEvent(events, finish)] : []),
          ],
        });
        return {
          kind: 'completed',
          output: outcome.value.output,
          degraded,
          finishedRun: finish !== undefined,
          cancelRequested: completed.cancelRequested,
        };
      }
      // A pure task that failed is recorded like any other: its attempt, then the failure.
      if (pure && !(await recordStart())) return { kind: 'cancelled' };

      const { error } = outcome;
      const retry = error.retriable && attempt < lastAttempt;
      this.options.metrics.taskAttempts.inc({ type, outcome: retry ? 'retried' : 'failed' });
      if (!retry) {
        await hotWriter.write({
          taskId: task.taskId,
          taskStatus: 'failed',
          error: error.message,
          events: [
            events.prepare({
              type: 'TASK_FAILED',
              taskId: task.taskId,
              status: 'failed',
              attempt,
              error: error.message,
              degraded: false,
            }),
          ],
        });
        return { kind: 'failed', error: error.message };
      }
      const waitMs = backoffMs(policy, attempt + 1);
      taskLog.warn({ attempt, waitMs, err: error }, 'task attempt failed; retrying');
      const recorded = await writer.taskAttemptFailed(task.taskId, error.message);
      if (recorded.cancelRequested) return { kind: 'cancelled' };
      await sleep(waitMs, undefined, { signal: runSignal }).catch(() => undefined);
      if (runSignal.aborted) throw runSignal.reason;
    }
  }

  private async attempt(
    type: keyof TaskRunners,
    input: unknown,
    workflowId: string,
    taskId: string,
    attempt: number,
    lastAttempt: number,
    policy: ResolvedRetryPolicy,
    runSignal: AbortSignal,
    log: Logger,
  ): Promise<
    | { kind: 'success'; value: Awaited<ReturnType<TaskRunners[keyof TaskRunners]>> }
    | { kind: 'failure'; error: TaskFailure }
  > {
    const { signal, release } = attemptSignal(runSignal, policy.timeoutMs);
    try {
      const value = await this.options.runners[type](input, {
        workflowId,
        taskId,
        attempt,
        isLastAttempt: attempt >= lastAttempt,
        signal,
        log,
      });
      return { kind: 'success', value };
    } catch (error) {
      if (error instanceof TaskFailure) return { kind: 'failure', error };
      if (signal.aborted && !runSignal.aborted) {
        return {
          kind: 'failure',
          error: new TaskFailure(`timed out after ${policy.timeoutMs} ms`, true),
        };
      }
      // A runner bug is not worth retrying: the same input meets the same code.
      log.error({ err: error }, 'task runner threw an unexpected error');
      return {
        kind: 'failure',
        error: new TaskFailure(`unexpected error: ${(error as Error).message}`, false),
      };
    } finally {
      release();
    }
  }
}

/**
 * The signal of one attempt: aborted when the run is, or when the attempt times out.
 * Unlike AbortSignal.any with AbortSignal.timeout, the timer is cleared as soon as the
 * attempt ends, so a run does not leave timers (and signals they keep alive) behind until
 * their timeout, and the run signal does not collect a listener per attempt.
 */
function attemptSignal(
  runSignal: AbortSignal,
  timeoutMs: number,
): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  if (runSignal.aborted) {
    controller.abort(runSignal.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const onRunAbort = () => controller.abort(runSignal.reason);
  runSignal.addEventListener('abort', onRunAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new DOMException('The attempt timed out', 'TimeoutError')),
    timeoutMs,
  );
  // Like AbortSignal.timeout: a pending attempt timer does not keep the process alive.
  timer.unref();
  return {
    signal: controller.signal,
    release: () => {
      clearTimeout(timer);
      runSignal.removeEventListener('abort', onRunAbort);
    },
  };
}

/** Task types without side effects: running one twice costs only the time it takes. */
const PURE_TASK_TYPES: ReadonlySet<string> = new Set(['transform']);

/**
 * One run's writes through the engine's group commit; the events a write stored are
 * published once it committed, without waiting for the broker. The writes of a run its
 * creator executes mark it running until one of them has been committed.
 */
class HotPathWriter {
  constructor(
    private readonly batcher: RunWriteBatcher,
    private readonly lease: Lease,
    private readonly events: RunEvents,
    private markRunning: boolean,
  ) {}

  async write(
    write: Omit<RunWrite, 'lease' | 'markRunning'>,
  ): Promise<{ cancelRequested: boolean }> {
    const result = await this.batcher.write({
      ...write,
      lease: this.lease,
      markRunning: this.markRunning,
    });
    this.markRunning = false;
    if (write.events) void this.events.publish(write.events);
    return result;
  }
}

/** The event announcing a run's end, stored with the write that ends it. */
function completionEvent(events: RunEvents, completion: RunCompletion): StoredEvent {
  const type =
    completion.status === 'completed'
      ? 'WORKFLOW_COMPLETED'
      : completion.status === 'failed'
        ? 'WORKFLOW_FAILED'
        : 'WORKFLOW_CANCELLED';
  return events.prepare({
    type,
    status: completion.status,
    degraded: completion.degraded,
    ...(completion.error === undefined ? {} : { error: completion.error }),
    ...(completion.output === undefined ? {} : { output: completion.output }),
  });
}

/** Pending tasks whose dependencies all completed and that are not already running here. */
function readyTasks(tasks: Map<string, TaskState>, inFlight: Map<string, unknown>): TaskState[] {
  return [...tasks.values()].filter(
    (task) =>
      task.status === 'pending' &&
      !inFlight.has(task.taskId) &&
      task.dependsOn.every((dependency) => tasks.get(dependency)?.status === 'completed'),
  );
}

function templateScope(run: WorkflowRun, tasks: Map<string, TaskState>): TemplateScope {
  const outputs: TemplateScope['tasks'] = {};
  for (const task of tasks.values()) {
    if (task.status === 'completed') outputs[task.taskId] = { output: task.output };
  }
  return { input: run.input, event: run.triggerEvent ?? undefined, tasks: outputs };
}

/** The run's result: the outputs of the tasks nothing depends on, by task id. */
function sinkOutputs(run: WorkflowRun, tasks: Map<string, TaskState>): Record<string, unknown> {
  const dependedOn = new Set(run.definition.tasks.flatMap((task) => task.dependsOn));
  const output: Record<string, unknown> = {};
  for (const task of tasks.values()) {
    if (!dependedOn.has(task.taskId)) output[task.taskId] = task.output;
  }
  return output;
}
