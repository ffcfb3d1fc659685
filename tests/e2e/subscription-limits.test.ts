/**
 * Subscriptions count against the caller's rate limits when they start: one request on
 * the key's tier each (its events are not charged one by one).
 */
import { collect, wsClient } from '../support/graphql-clients';
import { uniqueName } from '../support/environment';
import { type Stack, startRealServersStack } from '../support/stack';

describe('rate limits on subscriptions', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startRealServersStack({
      RATE_LIMIT_KEY_PREFIX: `${uniqueName('rl')}:`,
      // A new key (reputation 0.4) gets exactly the base: 3 per minute.
      RATE_LIMIT_KEY_PER_MINUTE: '3',
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses a subscription over the key limit with RATE_LIMITED, over graphql-ws and SSE', async () => {
    const key = await stack.createApiKey(['workflows:read']);
    const client = wsClient(stack.gatewayUrl, key);
    const streams = Array.from({ length: 3 }, () =>
      collect(client, 'subscription { workflowCompletions { id } }'),
    );
    const refused = collect<unknown>(client, 'subscription { workflowCompletions { id } }');

    await expect(refused.until(() => true, 10_000)).rejects.toThrow(/RATE_LIMITED/);

    const sse = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'x-api-key': key,
      },
      body: JSON.stringify({ query: 'subscription { workflowCompletions { id } }' }),
    });
    expect(await sse.text()).toMatch(/RATE_LIMITED/);

    for (const stream of streams) await stream.close();
    await client.dispose();
  });
});
