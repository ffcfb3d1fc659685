// Response bodies are read field by field in assertions; typing each would add nothing.
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * One workflows service on the real PostgreSQL and Kafka for a test file: its own
 * database and topic prefix, a model-metrics stand-in, an API key, a collector of the
 * events it publishes, and helpers to wait for conditions instead of sleeping.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { ApiKeyStore, PERMISSIONS } from '../../../../platform/auth/api-keys';
import { type Database, createDatabase } from '../../../../platform/db/pool';
import { type EventEnvelope, createEnvelope } from '../../../../platform/events/envelope';
import type { Subscription } from '../../../../platform/events/event-bus';
import { EventTypes, Topics } from '../../../../platform/events/topics';
import type { HookEventData, WorkflowEventData } from '../../../../platform/events/workflow-events';
import { createLogger } from '../../../../platform/logger';
import { type Runtime, createRuntime } from '../../../../platform/runtime';
import type { Service } from '../../../../platform/service';
import { createTestDatabase, realServersConfig, uniqueName } from '../../../support/environment';
import { gatewayIdentityHeaders } from '../../../support/identity';
import {
  type WorkflowsServiceOptions,
  createWorkflowsService,
} from '../../../../subgraphs/workflows/service';
import { ModelMetricsStandIn } from './model-metrics-stand-in';

export interface Harness {
  runtime: Runtime;
  service: Service;
  db: Database;
  apiKey: string;
  modelMetrics: ModelMetricsStandIn;
  /** Events seen on workflow.tasks and workflow.completions, in arrival order. */
  events: Array<EventEnvelope<WorkflowEventData>>;
  /** Records seen on workflow.events.dlq as delivered: key, value and headers. */
  deadLetters: DeadLetterRecord[];
  startService(options?: WorkflowsServiceOptions): Promise<Service>;
  publishHookEvent(
    data: Partial<HookEventData>,
    envelope?: Partial<EventEnvelope>,
  ): Promise<EventEnvelope<HookEventData>>;
  rest(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  graphql(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data?: any; errors?: any[] }>;
  close(): Promise<void>;
}

export interface DeadLetterRecord {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export async function createHarness(
  options: WorkflowsServiceOptions = {},
  env: Record<string, string> = {},
): Promise<Harness> {
  const database = await createTestDatabase();
  const modelMetrics = new ModelMetricsStandIn();
  const modelMetricsUrl = await modelMetrics.start();
  const config = realServersConfig(database.url, { MODEL_METRICS_URL: modelMetricsUrl, ...env });
  const runtime = await createRuntime(
    config,
    createLogger({ level: config.logLevel, service: 'test' }),
  );
  const db = createDatabase({ url: runtime.databaseUrl, max: 3 }, runtime.log);
  const { key: apiKey } = await new ApiKeyStore(db).create({
    name: 'test',
    permissions: PERMISSIONS,
  });

  const events: Array<EventEnvelope<WorkflowEventData>> = [];
  const deadLetters: DeadLetterRecord[] = [];
  const subscriptions: Subscription[] = [];
  subscriptions.push(
    await runtime.bus.subscribe({
      groupId: uniqueName('test-collector'),
      topics: [runtime.topic(Topics.workflowTasks), runtime.topic(Topics.workflowCompletions)],
      fromBeginning: true,
      handle: async (event) => {
        events.push(event.envelope as EventEnvelope<WorkflowEventData>);
      },
    }),
    await runtime.bus.subscribe({
      groupId: uniqueName('test-dlq'),
      topics: [runtime.topic(Topics.workflowEventsDlq)],
      fromBeginning: true,
      // A dead letter of a message that was no CloudEvent is not one either.
      handle: async ({ key, raw }) => {
        deadLetters.push({ key, ...raw });
      },
      handleUndecodable: async ({ key, raw }) => {
        deadLetters.push({ key, ...raw });
      },
    }),
  );

  const services: Service[] = [];
  const startService = async (serviceOptions: WorkflowsServiceOptions = options) => {
    const service = await createWorkflowsService(runtime, serviceOptions);
    await service.start();
    services.push(service);
    return service;
  };
  const service = await startService();

  return {
    runtime,
    service,
    db,
    apiKey,
    modelMetrics,
    events,
    deadLetters,
    startService,
    async publishHookEvent(data, envelope = {}) {
      const hookData: HookEventData = {
        eventId: '',
        source: 'demo',
        action: 'message.created',
        resource: 'message',
        resourceId: 'm-1',
        data: { text: 'I love this' },
        receivedAt: new Date().toISOString(),
        ...data,
      };
      const created = createEnvelope({
        type: EventTypes.hookReceived,
        source: '/omninode/hooks',
        data: hookData,
        ...(envelope.id === undefined ? {} : { id: envelope.id }),
        ...(envelope.correlationid === undefined ? {} : { correlationId: envelope.correlationid }),
      });
      created.data.eventId = created.id;
      await runtime.bus.publish(runtime.topic(Topics.workflowEvents), [
        { envelope: created, key: hookData.source },
      ]);
      return created;
    },
    async rest(method, path, body, headers = {}) {
      const response = await fetch(`${service.url}${path}`, {
        method,
        headers: {
          'x-api-key': apiKey,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json() };
    },
    async graphql(query, variables = {}) {
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        // Subgraph GraphQL trusts only the gateway's signed identity: stand in for the gateway.
        headers: { 'content-type': 'application/json', ...(await gatewayIdentityHeaders(runtime)) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: any; errors?: any[] };
    },
    async close() {
      for (const subscription of subscriptions) await subscription.stop();
      for (const running of services.reverse()) await running.stop();
      await db.end();
      await runtime.stop();
      await modelMetrics.stop();
      await database.drop();
    },
  };
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
