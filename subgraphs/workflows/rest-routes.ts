/**
 * REST routes of the workflows subgraph (snake_case JSON). Each verifies the caller's API
 * key and permission itself; the gateway forwards the caller's headers unchanged.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';

import type { Permission } from '../../platform/auth/api-keys';
import { type Authenticator, requirePermissions } from '../../platform/auth/authenticator';
import type { Database } from '../../platform/db/pool';
import { AppError, fieldErrors } from '../../platform/errors';
import type { WorkflowCoordinator } from './coordinator';
import { createTrigger, saveDefinition } from './definition-store';
import { WorkflowErrors } from './errors';
import { findRunEvents } from './run-event-history';
import { findRun, findTasks } from './run-store';
import { definitionToRest, runEventToRest, triggerToRest, workflowToRest } from './views';

export interface RestDependencies {
  db: Database;
  authenticator: Authenticator;
  coordinator: WorkflowCoordinator;
}

const ExecuteBody = z
  .object({
    definition_name: z.string().min(1).optional(),
    definition: z.unknown().optional(),
    input: z.unknown().optional(),
    workflow_id: z.string().uuid('must be a UUID').optional(),
  })
  .strict();

const TriggerBody = z
  .object({
    source: z.string().min(1),
    action: z.string().min(1),
    definition_name: z.string().min(1),
  })
  .strict();

const IdParams = z.object({ id: z.string().uuid('must be a UUID') });

export function registerRestRoutes(app: FastifyInstance, deps: RestDependencies): void {
  const { db, authenticator, coordinator } = deps;
  const authorize = async (request: FastifyRequest, permission: Permission) => {
    const identity = await authenticator.authenticate(request.headers);
    requirePermissions(identity, [permission]);
    return identity;
  };
  // Which coordinator (host:pid) holds a run is operator information.
  const showsLease = (identity: { permissions: readonly Permission[] }) =>
    identity.permissions.includes('admin:read');

  app.post('/api/v1/workflows/execute', async (request) => {
    await authorize(request, 'workflows:execute');
    const body = parse(ExecuteBody, request.body);
    const { run } = await coordinator.execute({
      definitionName: body.definition_name,
      definition: body.definition,
      input: body.input ?? {},
      workflowId: body.workflow_id,
      correlationId: headerValue(request, 'x-correlation-id') ?? request.id,
    });
    return { workflow_id: run.id, status: 'started' };
  });

  app.get('/api/v1/workflows/:id/status', async (request) => {
    const identity = await authorize(request, 'workflows:read');
    const { id } = parse(IdParams, request.params);
    const run = await findRun(db, id);
    if (!run) throw new AppError(WorkflowErrors.WORKFLOW_NOT_FOUND, `No workflow ${id}.`);
    return workflowToRest(run, await findTasks(db, [id]), { lease: showsLease(identity) });
  });

  app.get('/api/v1/workflows/:id/events', async (request) => {
    await authorize(request, 'workflows:read');
    const { id } = parse(IdParams, request.params);
    const run = await findRun(db, id);
    if (!run) throw new AppError(WorkflowErrors.WORKFLOW_NOT_FOUND, `No workflow ${id}.`);
    const events = (await findRunEvents(db, [id])).get(id) ?? [];
    return { workflow_id: id, events: events.map(runEventToRest) };
  });

  app.post('/api/v1/workflows/:id/cancel', async (request) => {
    const identity = await authorize(request, 'workflows:execute');
    const { id } = parse(IdParams, request.params);
    const run = await coordinator.cancel(id);
    return workflowToRest(run, await findTasks(db, [id]), { lease: showsLease(identity) });
  });

  app.post('/api/v1/workflows/definitions', async (request, reply) => {
    await authorize(request, 'workflows:write');
    const stored = await saveDefinition(db, request.body);
    return reply.status(201).send(definitionToRest(stored));
  });

  app.post('/api/v1/workflows/triggers', async (request, reply) => {
    await authorize(request, 'workflows:write');
    const body = parse(TriggerBody, request.body);
    const trigger = await createTrigger(db, {
      source: body.source,
      action: body.action,
      definitionName: body.definition_name,
    });
    return reply.status(201).send(triggerToRest(trigger));
  });
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error.issues);
    throw new AppError(
      WorkflowErrors.VALIDATION_FAILED,
      `Invalid request: ${Object.entries(errors)
        .map(([field, message]) => `${field}: ${message}`)
        .join('; ')}`,
      { field_errors: errors },
    );
  }
  return parsed.data;
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && /^[\w.:-]{1,128}$/.test(value) ? value : undefined;
}
