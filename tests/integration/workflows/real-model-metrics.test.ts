/**
 * The seeded demo workflow against the real model-metrics service (not the stand-in):
 * the contract both sides implement, checked end to end on real PostgreSQL and Kafka.
 */
import { createModelMetricsService } from '../../../subgraphs/model-metrics/service';
import { createWorkflowsService } from '../../../subgraphs/workflows/service';
import { seedDefaultWorkflows } from '../../../subgraphs/workflows/seed';
import type { Service } from '../../../platform/service';
import { type Harness, createHarness, waitFor } from './support/harness';
import { gatewayIdentityHeaders } from '../../support/identity';

let harness: Harness;
let modelMetrics: Service;
let workflows: Service;

beforeAll(async () => {
  harness = await createHarness();
  modelMetrics = await createModelMetricsService(harness.runtime);
  await modelMetrics.start();
  // A second coordinator pointed at the real service; the harness's own one stands by.
  await harness.service.stop();
  const { runtime } = harness;
  workflows = await createWorkflowsService({
    ...runtime,
    config: {
      ...runtime.config,
      urls: { ...runtime.config.urls, 'model-metrics': modelMetrics.url },
    },
  });
  await workflows.start();
  await seedDefaultWorkflows(harness.db);
});

afterAll(async () => {
  await workflows?.stop();
  await modelMetrics?.stop();
  await harness?.close();
});

it('runs analyze-sentiment through the real model-metrics service', async () => {
  const hookEvent = await harness.publishHookEvent({
    data: { text: 'I love this, it is wonderful' },
  });
  const completion = await waitFor(
    () =>
      harness.events.find(
        (event) =>
          event.data.hookEventId === hookEvent.id && event.data.type.startsWith('WORKFLOW_'),
      ),
    'the completion',
  );
  expect(completion.data.status).toBe('completed');
  const output = completion.data.output as { sentiment: { invocation_id: string; model: string } };
  expect(output.sentiment.model).toEqual(expect.any(String));

  const response = await fetch(`${workflows.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await gatewayIdentityHeaders(harness.runtime)),
    },
    body: JSON.stringify({
      query: `query($id: ID!) { workflow(id: $id) { status tasks { id invocation { id } } } }`,
      variables: { id: completion.data.workflowId },
    }),
  });
  const body = (await response.json()) as {
    data: { workflow: { status: string; tasks: Array<{ invocation: { id: string } }> } };
  };
  expect(body.data.workflow.status).toBe('COMPLETED');
  expect(body.data.workflow.tasks[0]?.invocation.id).toBe(output.sentiment.invocation_id);
});
