/**
 * Ends a running subscription when its credential stops being valid: at once when the
 * key is revoked (revocation feed), at the token's expiry, and at the latest at the next
 * periodic re-check. graphql-ws connections are also closed whole (graphql-ws-server.ts);
 * this covers SSE, whose only "connection" is the stream itself.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

import type { Authenticator } from '../../platform/auth/authenticator';
import type { GatewayContext } from '../gateway-context';

const RECHECK_INTERVAL_MS = 10_000;

export function useSubscriptionRevocation(
  authenticator: Authenticator,
  recheckIntervalMs = RECHECK_INTERVAL_MS,
): Plugin {
  return {
    onSubscribe({ args }) {
      const context = args.contextValue as unknown as GatewayContext;
      const principal = context.identity;
      if (!principal) return undefined;
      return {
        onSubscribeResult({ result, setResult }) {
          if (!(Symbol.asyncIterator in result)) return;
          setResult(
            endWhenInvalid(result, {
              revoked: (listener) =>
                authenticator.onRevoked((keyId) => keyId === principal.keyId && listener()),
              expiresAtMs: principal.expiresAtMs,
              stillValid: () => authenticator.stillValid(context.credentials),
              recheckIntervalMs,
            }),
          );
        },
      };
    },
  };
}

async function* endWhenInvalid<T>(
  source: AsyncIterable<T>,
  watch: {
    revoked: (listener: () => void) => () => void;
    expiresAtMs: number | undefined;
    stillValid: () => Promise<boolean>;
    recheckIntervalMs: number;
  },
): AsyncGenerator<T> {
  let invalidate!: (reason: string) => void;
  const invalid = new Promise<string>((resolve) => (invalidate = resolve));
  const stopWatching = watch.revoked(() => invalidate('The API key was revoked.'));
  const expiry =
    watch.expiresAtMs !== undefined
      ? setTimeout(
          () => invalidate('The token expired.'),
          Math.max(watch.expiresAtMs - Date.now(), 0),
        )
      : undefined;
  const recheck = setInterval(() => {
    void watch
      .stillValid()
      .then((valid) => valid || invalidate('The credential is no longer valid.'));
  }, watch.recheckIntervalMs);
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await Promise.race([
        iterator.next(),
        invalid.then((reason) => ({ invalid: reason })),
      ]);
      if ('invalid' in next) {
        throw new GraphQLError(next.invalid, { extensions: { code: 'UNAUTHENTICATED' } });
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    stopWatching();
    clearTimeout(expiry);
    clearInterval(recheck);
    await iterator.return?.();
  }
}
