/**
 * An async iterator fed by pushes, holding at most `capacity` undelivered events. A
 * subscriber that falls that far behind is ended with SUBSCRIBER_TOO_SLOW rather than
 * allowed to grow the gateway's memory without bound; it can resubscribe.
 */
import { AppError } from '../../platform/errors';
import { GatewayErrors } from '../errors';

export class BoundedEventStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: Error) => void) | undefined;
  private ended = false;
  private failure: Error | undefined;

  constructor(
    private readonly capacity: number,
    private readonly onEnd: () => void,
  ) {}

  push(event: T): void {
    if (this.ended) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = undefined;
      resolve({ value: event, done: false });
      return;
    }
    if (this.buffer.length >= this.capacity) {
      this.fail(
        new AppError(
          GatewayErrors.SUBSCRIBER_TOO_SLOW,
          `More than ${this.capacity} events were waiting for this subscriber; resubscribe.`,
        ),
      );
      return;
    }
    this.buffer.push(event);
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.failure = error;
    this.finish();
    if (this.failWaiting) this.failWaiting(error);
    this.waiting = this.failWaiting = undefined;
  }

  next(): Promise<IteratorResult<T>> {
    const buffered = this.buffer.shift();
    if (buffered !== undefined) return Promise.resolve({ value: buffered, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.finish();
    this.buffer.length = 0;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = this.failWaiting = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }
}
