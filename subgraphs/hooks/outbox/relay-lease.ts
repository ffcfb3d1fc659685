/**
 * Leadership of the outbox relay: a lease row in PostgreSQL that one relay at a time holds.
 *
 * Why one publisher and a lease row:
 * - One publisher keeps per-source order. Relays that each claim a batch with
 *   FOR UPDATE SKIP LOCKED would publish the same source's events from two replicas at
 *   once, out of order; order matters more here than spreading a cheap job.
 * - A row, not a session-level pg_try_advisory_lock: in the embedded default PGlite is one
 *   session under every connection, so an advisory lock would be granted to every relay;
 *   and holding a dedicated connection forever is one more thing to keep alive. The lease
 *   is taken and renewed by a single short statement that holds no transaction, with the
 *   database's clock, so replica clocks do not matter.
 *
 * A holder that stalls longer than the lease (a long GC pause, a publish that hangs) can
 * overlap with its successor for one batch; consumers are idempotent by event id, so that
 * costs a duplicate, never a loss. The relay bounds each publish below the lease to keep
 * this outside normal operation.
 */
import type { Queryable } from '../../../platform/db/pool';

export interface LeaseState {
  held: boolean;
  /** Increments each time the lease changes hands. */
  term: number | undefined;
}

export class RelayLease {
  constructor(
    private readonly db: Queryable,
    private readonly options: { name: string; holder: string; leaseMs: number },
  ) {}

  /** Takes the lease if it is free or expired, renews it if held; one statement either way. */
  async acquire(): Promise<LeaseState> {
    const result = await this.db.query<{ term: number }>(
      `INSERT INTO hook_relay_leases (name, holder, term, expires_at)
       VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE
         SET term = CASE WHEN hook_relay_leases.holder = EXCLUDED.holder
                         THEN hook_relay_leases.term ELSE hook_relay_leases.term + 1 END,
             holder = EXCLUDED.holder,
             expires_at = EXCLUDED.expires_at
         WHERE hook_relay_leases.holder = EXCLUDED.holder
            OR hook_relay_leases.expires_at <= now()
       RETURNING term`,
      [this.options.name, this.options.holder, this.options.leaseMs],
    );
    const row = result.rows[0];
    return { held: row !== undefined, term: row?.term };
  }

  /** Gives the lease up so a peer takes over at its next poll instead of after expiry. */
  async release(): Promise<void> {
    await this.db.query('DELETE FROM hook_relay_leases WHERE name = $1 AND holder = $2', [
      this.options.name,
      this.options.holder,
    ]);
  }
}
