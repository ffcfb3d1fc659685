/** Real GraphQL clients for end-to-end tests: graphql-ws over WebSocket, and SSE. */
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface CollectedSubscription<T> {
  /** Resolves with the events received up to and including the first that matches. */
  until(predicate: (event: T) => boolean, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

export function wsClient(gatewayUrl: string, apiKey: string): Client {
  return createClient({
    url: `${gatewayUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { apiKey },
    retryAttempts: 0,
    lazy: false,
  });
}

/** Subscribes and records every event; `until` waits for the one that matters. */
export function collect<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): CollectedSubscription<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((wake) => wake());
  const unsubscribe = client.subscribe<Record<string, T>>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) errors.push(result.errors);
        const value = result.data ? Object.values(result.data)[0] : undefined;
        if (value !== undefined) events.push(value);
        notify();
      },
      error: (error) => {
        errors.push(error);
        notify();
      },
      complete: notify,
    },
  );
  return {
    until(predicate, timeoutMs = 30_000) {
      return new Promise<T[]>((resolve, reject) => {
        const check = () => {
          if (errors.length > 0)
            return finish(() => reject(new Error(`subscription error: ${JSON.stringify(errors)}`)));
          if (events.some(predicate)) {
            const index = events.findIndex(predicate);
            return finish(() => resolve(events.slice(0, index + 1)));
          }
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(
                new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events)}`),
              ),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      unsubscribe();
    },
  };
}

/** Reads `data:` events of a GraphQL over SSE response until one matches. */
export async function sseUntil<T>(
  response: Response,
  predicate: (event: T) => boolean,
  timeoutMs = 30_000,
): Promise<T[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: T[] = [];
  let buffer = '';
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const { value, done } = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('SSE timeout')), deadline - Date.now()),
        ),
      ]);
      if (done) break;
      buffer += value;
      let boundary: number;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('');
        if (!data) continue;
        const payload = JSON.parse(data) as { data?: Record<string, T> };
        const event = payload.data ? Object.values(payload.data)[0] : undefined;
        if (event === undefined) continue;
        events.push(event);
        if (predicate(event)) return events;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  throw new Error(`no matching SSE event; got ${JSON.stringify(events)}`);
}
