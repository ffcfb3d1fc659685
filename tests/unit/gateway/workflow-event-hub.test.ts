import { createEnvelope } from '../../../platform/events/envelope';
import { MemoryEventBus } from '../../../platform/events/memory-event-bus';
import { createLogger } from '../../../platform/logger';
import { RecentIds } from '../../../gateway/subscriptions/recent-ids';
import { WorkflowEventHub } from '../../../gateway/subscriptions/workflow-event-hub';

const log = createLogger({ level: 'silent', service: 'test' });

describe('WorkflowEventHub', () => {
  it('delivers a redelivered event (same id) to a subscriber once', async () => {
    const bus = new MemoryEventBus(log);
    const hub = new WorkflowEventHub({ bus, topics: ['tasks'], log, bufferSize: 10 });
    await hub.start();
    const stream = hub.listen((event) => event.workflowId === 'w-1');
    const event = (taskId: string) =>
      createEnvelope({
        type: 'dev.omninode.workflow.task.completed',
        source: '/omninode/workflows',
        data: { workflowId: 'w-1', type: 'TASK_COMPLETED', taskId, status: 'completed' },
      });
    const first = event('a');
    await bus.publish('tasks', [
      { envelope: first, key: 'w-1' },
      { envelope: first, key: 'w-1' },
      { envelope: event('b'), key: 'w-1' },
    ]);

    const received = [(await stream.next()).value, (await stream.next()).value];
    expect(received.map((payload) => [payload.id === first.id, payload.taskId])).toEqual([
      [true, 'a'],
      [false, 'b'],
    ]);
    await hub.stop();
    await bus.close();
  });
});

describe('RecentIds', () => {
  it('forgets the oldest id once over capacity', () => {
    const ids = new RecentIds(2);
    expect([ids.firstSighting('a'), ids.firstSighting('a')]).toEqual([true, false]);
    ids.firstSighting('b');
    ids.firstSighting('c');
    expect([ids.firstSighting('b'), ids.firstSighting('a')]).toEqual([false, true]);
  });
});
