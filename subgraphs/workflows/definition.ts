/**
 * Workflow definitions: their shape (zod) and the checks that must pass before anything
 * runs. A definition is a DAG of tasks; each names the tasks it depends on, and tasks
 * whose dependencies are done run in parallel. Validation reports every problem with the
 * task it is in, so a 400 says exactly what to fix.
 */
import { z } from 'zod';

import { AppError } from '../../platform/errors';
import { WorkflowErrors } from './errors';
import { TEMPLATE_ROOTS, TemplateError, findReferences } from './template';

export const TASK_TYPES = ['model_inference', 'transform', 'http', 'delay'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

const MAX_TASKS = 100;
const MAX_ATTEMPTS = 20;
const MAX_TIMEOUT_MS = 3_600_000;

// REST bodies are snake_case, GraphQL inputs camelCase: both spellings are accepted here.
const SNAKE_TO_CAMEL: Record<string, string> = {
  depends_on: 'dependsOn',
  timeout_ms: 'timeoutMs',
  max_attempts: 'maxAttempts',
  initial_backoff_ms: 'initialBackoffMs',
  max_backoff_ms: 'maxBackoffMs',
};

function camelKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [SNAKE_TO_CAMEL[key] ?? key, item]),
  );
}

const RetryPolicySchema = z.preprocess(
  camelKeys,
  z
    .object({
      maxAttempts: z.number().int().min(1).max(MAX_ATTEMPTS).optional(),
      initialBackoffMs: z.number().int().min(0).max(MAX_TIMEOUT_MS).optional(),
      maxBackoffMs: z.number().int().min(0).max(MAX_TIMEOUT_MS).optional(),
    })
    .strict(),
);

const TaskSchema = z.preprocess(
  camelKeys,
  z
    .object({
      id: z
        .string()
        .regex(/^[A-Za-z][\w-]{0,63}$/, 'a task id is a letter then letters, digits, _ or -'),
      type: z.string().min(1),
      input: z.unknown().optional(),
      dependsOn: z.array(z.string()).default([]),
      retry: RetryPolicySchema.optional(),
      timeoutMs: z.number().int().positive().max(MAX_TIMEOUT_MS).optional(),
    })
    .strict(),
);

export const WorkflowDefinitionSchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]{0,99}$/,
        'a definition name is lower-case letters, digits, . _ -',
      ),
    tasks: z.array(TaskSchema).min(1, 'a workflow needs at least one task').max(MAX_TASKS),
  })
  .strict();

export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;
export type TaskDefinition = WorkflowDefinition['tasks'][number];
export type RetryPolicy = NonNullable<TaskDefinition['retry']>;

// What each task type needs in its input; templates may stand in for any string.
const TaskInputSchemas: Record<TaskType, z.ZodTypeAny> = {
  model_inference: z.preprocess(
    (value) => renameKey(value, 'taskType', 'task_type'),
    z
      .object({
        task_type: z.string().min(1),
        input: z.unknown().refine((value) => value !== undefined, 'input is required'),
        model: z.string().min(1).optional(),
      })
      .passthrough(),
  ),
  transform: z.unknown(),
  http: z
    .object({
      url: z.string().min(1),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional(),
      headers: z.record(z.string()).optional(),
      body: z.unknown().optional(),
    })
    .passthrough(),
  delay: z.object({ duration_ms: z.number().int().min(0).max(MAX_TIMEOUT_MS) }).passthrough(),
};

/**
 * Parses and checks a definition; throws INVALID_WORKFLOW_DEFINITION listing every
 * problem (shape, duplicate ids, unknown types, unknown dependencies, cycles, templates).
 */
export function parseDefinition(raw: unknown): WorkflowDefinition {
  const parsed = WorkflowDefinitionSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalid(
      parsed.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    );
  }
  const problems = checkDefinition(parsed.data);
  if (problems.length > 0) throw invalid(problems);
  return parsed.data;
}

/** The semantic checks, as messages naming the task; empty when the definition is sound. */
export function checkDefinition(definition: WorkflowDefinition): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const task of definition.tasks) {
    if (ids.has(task.id)) problems.push(`task ${task.id}: duplicate task id`);
    ids.add(task.id);
  }

  for (const task of definition.tasks) {
    if (!isTaskType(task.type)) {
      problems.push(
        `task ${task.id}: unknown type "${task.type}" (expected one of ${TASK_TYPES.join(', ')})`,
      );
    } else {
      const inputCheck = TaskInputSchemas[task.type].safeParse(task.input);
      if (!inputCheck.success) {
        for (const issue of inputCheck.error.issues) {
          problems.push(
            `task ${task.id}: ${formatPath(['input', ...issue.path])}: ${issue.message}`,
          );
        }
      }
    }
    for (const dependency of task.dependsOn) {
      if (!ids.has(dependency)) {
        problems.push(`task ${task.id}: depends on unknown task "${dependency}"`);
      }
    }
  }

  const cycle = findCycle(
    definition.tasks.filter((task) => task.dependsOn.every((d) => ids.has(d))),
  );
  if (cycle) problems.push(`dependency cycle: ${cycle.join(' -> ')}`);
  if (problems.length === 0) problems.push(...checkTemplates(definition));
  return problems;
}

export function isTaskType(type: string): type is TaskType {
  return (TASK_TYPES as readonly string[]).includes(type);
}

/** The tasks each task transitively depends on (its ancestors in the DAG). */
export function ancestorsOf(definition: WorkflowDefinition): Map<string, Set<string>> {
  const byId = new Map(definition.tasks.map((task) => [task.id, task]));
  const ancestors = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    const known = ancestors.get(id);
    if (known) return known;
    const result = new Set<string>();
    ancestors.set(id, result);
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      result.add(dependency);
      for (const ancestor of visit(dependency)) result.add(ancestor);
    }
    return result;
  };
  for (const task of definition.tasks) visit(task.id);
  return ancestors;
}

/** The first cycle found, as the task ids along it with the first repeated at the end. */
function findCycle(tasks: TaskDefinition[]): string[] | undefined {
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dependency of byId.get(id)?.dependsOn ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const task of tasks) {
    const cycle = visit(task.id);
    // Reported in execution order: a -> b means b waits for a.
    if (cycle) return cycle.reverse();
  }
  return undefined;
}

function checkTemplates(definition: WorkflowDefinition): string[] {
  const problems: string[] = [];
  const ancestors = ancestorsOf(definition);
  for (const task of definition.tasks) {
    let references;
    try {
      references = findReferences(task.input);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push(`task ${task.id}: bad template: ${error.message}`);
      continue;
    }
    for (const { path, location } of references) {
      const [root, taskId, field] = path.split('.');
      if (!(TEMPLATE_ROOTS as readonly string[]).includes(root ?? '')) {
        problems.push(
          `task ${task.id}: bad template {{${path}}} at ${location}: it must start with ${TEMPLATE_ROOTS.join(', ')}`,
        );
      } else if (root === 'tasks') {
        if (taskId === undefined || field !== 'output') {
          problems.push(
            `task ${task.id}: bad template {{${path}}} at ${location}: write tasks.<id>.output`,
          );
        } else if (!ancestors.get(task.id)?.has(taskId)) {
          problems.push(
            `task ${task.id}: bad template {{${path}}} at ${location}: task "${taskId}" is not among its dependencies`,
          );
        }
      }
    }
  }
  return problems;
}

function renameKey(value: unknown, from: string, to: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !(from in value)) {
    return value;
  }
  const { [from]: moved, ...rest } = value as Record<string, unknown>;
  return { [to]: moved, ...rest };
}

function invalid(problems: string[]): AppError {
  return new AppError(
    WorkflowErrors.INVALID_DEFINITION,
    `Invalid workflow definition: ${problems.join('; ')}`,
    { problems },
  );
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return (
    path.reduce<string>(
      (text, segment) =>
        typeof segment === 'number'
          ? `${text}[${segment}]`
          : text
            ? `${text}.${String(segment)}`
            : String(segment),
      '',
    ) || '(definition)'
  );
}
