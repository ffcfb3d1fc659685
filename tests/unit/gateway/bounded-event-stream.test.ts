import { BoundedEventStream } from '../../../gateway/subscriptions/bounded-event-stream';

describe('BoundedEventStream', () => {
  it('delivers pushed events in order, to a waiting reader too', async () => {
    const stream = new BoundedEventStream<number>(10, () => undefined);
    const first = stream.next();
    stream.push(1);
    stream.push(2);

    await expect(first).resolves.toEqual({ value: 1, done: false });
    await expect(stream.next()).resolves.toEqual({ value: 2, done: false });
  });

  it('ends a subscriber that falls more than its capacity behind', async () => {
    let ended = 0;
    const stream = new BoundedEventStream<number>(2, () => ended++);
    stream.push(1);
    stream.push(2);
    stream.push(3);

    await expect(stream.next()).resolves.toEqual({ value: 1, done: false });
    await expect(stream.next()).resolves.toEqual({ value: 2, done: false });
    await expect(stream.next()).rejects.toMatchObject({ code: 'SUBSCRIBER_TOO_SLOW' });
    await expect(stream.next()).resolves.toEqual({ value: undefined, done: true });
    expect(ended).toBe(1);
  });

  it('stops delivering and runs its cleanup once when the reader returns', async () => {
    let ended = 0;
    const stream = new BoundedEventStream<number>(5, () => ended++);
    const pending = stream.next();
    await stream.return();
    stream.push(1);
    await stream.return();

    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await expect(stream.next()).resolves.toEqual({ value: undefined, done: true });
    expect(ended).toBe(1);
  });
});
