import { setTimeout as sleep } from 'node:timers/promises';

import { createEnvelope } from '../../../platform/events/envelope';
import { MemoryEventBus } from '../../../platform/events/memory-event-bus';
import { createLogger } from '../../../platform/logger';

const log = createLogger({ level: 'silent', service: 'test' });
const event = (n: number) => ({
  envelope: createEnvelope({ type: 'test.event', source: '/test', data: { n } }),
  key: null,
});

describe('MemoryEventBus', () => {
  it('delivers a record appended by promise callbacks while its consumer looks for the next one', async () => {
    const bus = new MemoryEventBus(log);
    const received: string[] = [];
    // A publish `depth` promise callbacks after the handler of topic a returns lands, for
    // some depth, between the consumer finding both topics empty and it starting to wait.
    const subscription = await bus.subscribe({
      groupId: 'g',
      topics: ['a', 'b'],
      handle: async ({ topic, envelope }) => {
        const { n } = envelope.data as { n: number };
        received.push(`${topic}${n}`);
        if (topic !== 'a') return;
        void (async () => {
          for (let depth = 0; depth < n; depth += 1) await Promise.resolve();
          await bus.publish('b', [event(n)]);
        })();
      },
    });
    for (let n = 0; n < 12; n += 1) {
      await bus.publish('a', [event(n)]);
      // Nothing else is appended until the next round: only the consumer's wake-up
      // can deliver b<n>.
      for (let waited = 0; !received.includes(`b${n}`) && waited < 500; waited += 10) {
        await sleep(10);
      }
      expect(received).toContain(`b${n}`);
    }
    await subscription.stop();
    await bus.close();
  });
});
