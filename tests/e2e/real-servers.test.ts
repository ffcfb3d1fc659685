/**
 * The vertical flow on the real PostgreSQL, Redis and Kafka, with the four services in
 * this process talking HTTP to each other.
 */
import { type Stack, startRealServersStack } from '../support/stack';
import {
  GatewayCaller,
  badWebhooksStoreNothing,
  executedWorkflowStreamsItsEvents,
  restExecuteWithSseSubscription,
  hookEventSubscriberGetsTheWholeRun,
  resubscribingResumesAfterTheLastEvent,
  webhookReachesSubscriber,
} from './vertical-flow';

describe('vertical flow on real PostgreSQL, Redis and Kafka', () => {
  let stack: Stack;
  let caller: GatewayCaller;

  beforeAll(async () => {
    stack = await startRealServersStack();
    caller = new GatewayCaller(stack.gatewayUrl, await stack.createApiKey());
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('uses the real servers', () => {
    expect(stack.runtime.bus.kind).toBe('kafka');
    expect(stack.runtime.redis).toBeDefined();
  });

  it('delivers a webhook-triggered workflow completion to a graphql-ws subscriber', () =>
    webhookReachesSubscriber(caller));

  it('streams an executed workflow task by task and reads it back across subgraphs', () =>
    executedWorkflowStreamsItsEvents(caller));

  it('starts a workflow over REST and streams it over SSE', () =>
    restExecuteWithSseSubscription(caller));

  it('gives a late hook-event subscriber every event of the run it started', () =>
    hookEventSubscriberGetsTheWholeRun(caller));

  it('resumes a dropped subscription after the last event it received', () =>
    resubscribingResumesAfterTheLastEvent(caller));

  it('answers bad input with a 4xx and stores nothing', () => badWebhooksStoreNothing(caller));

  it('reports every dependency in /health', async () => {
    const response = await fetch(`${stack.gatewayUrl}/health`);
    const report = (await response.json()) as {
      status: string;
      dependencies: Record<string, { status: string }>;
    };

    expect(response.status).toBe(200);
    expect(report.status).toBe('ok');
    expect(Object.keys(report.dependencies)).toEqual(
      expect.arrayContaining([
        'database',
        'event_bus',
        'subgraph:hooks',
        'subgraph:workflows',
        'subgraph:model-metrics',
      ]),
    );
  });

  it('serves Prometheus metrics', async () => {
    const response = await fetch(`${stack.gatewayUrl}/metrics`);

    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    expect(await response.text()).toMatch(
      /http_request_duration_seconds_bucket\{.*service="gateway"/,
    );
  });
});
