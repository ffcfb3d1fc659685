/**
 * Run leases with fencing tokens: how several coordinators share runs safely.
 *
 * Design. A run row carries `lease_owner`, `lease_expires_at` and `fencing_token`. The
 * coordinator that creates a run holds its lease from the start (token 1). Holding a
 * lease means: only you execute this run, until `lease_expires_at`, which you push out
 * every `leaseMs / 3` while running. Anyone may take a run whose lease has expired; taking
 * it increments `fencing_token` in the same UPDATE, so at most one holder owns each token
 * value, and tokens only grow.
 *
 * Every write a holder makes about a run (its status, any task's state) is one statement
 * that locks the run row `WHERE fencing_token = <my token>`. A holder that was paused past
 * its expiry (GC pause, stopped VM, partition from the database) and then wakes up still
 * believes it holds the lease, but its token is older than the one the new holder took:
 * its writes match no row, it learns it lost the run (StaleLeaseError) and stops. The row
 * lock makes the check and the write atomic, so a takeover committed between them cannot
 * slip through (READ COMMITTED re-checks the predicate after waiting for the lock).
 *
 * What fencing cannot undo is a side effect outside PostgreSQL made by the paused holder
 * (an HTTP call). Such tasks send an idempotency key that is the same for every attempt
 * and every holder (`<workflowId>:<taskId>`), so a receiver that honours it sees one call.
 * Tasks that completed are never run again: a new holder starts from the stored states
 * and re-runs only tasks that were pending or interrupted while running.
 */
import type { Queryable } from '../../platform/db/pool';

export interface Lease {
  workflowId: string;
  owner: string;
  fencingToken: number;
}

/** A write was refused because another coordinator took the run's lease since. */
export class StaleLeaseError extends Error {
  override name = 'StaleLeaseError';
  constructor(readonly lease: Lease) {
    super(
      `lease of workflow ${lease.workflowId} with token ${lease.fencingToken} is no longer held`,
    );
  }
}

/** The token a run's creator holds: the creation itself is the first acquisition. */
export const FIRST_FENCING_TOKEN = 1;

/** Takes the lease of an unfinished run whose lease expired; undefined when not available. */
export async function acquireExpiredLease(
  db: Queryable,
  workflowId: string,
  owner: string,
  leaseMs: number,
): Promise<Lease | undefined> {
  const result = await db.query<{ fencing_token: number }>(
    `UPDATE workflows
     SET lease_owner = $2, lease_expires_at = now() + $3 * interval '1 millisecond',
         fencing_token = fencing_token + 1
     WHERE id = $1 AND status IN ('pending', 'running')
       AND (lease_expires_at IS NULL OR lease_expires_at <= now())
     RETURNING fencing_token`,
    [workflowId, owner, leaseMs],
  );
  const row = result.rows[0];
  return row ? { workflowId, owner, fencingToken: row.fencing_token } : undefined;
}

/** Pushes the expiry out; false when the lease was lost (or the run finished). */
export async function renewLease(db: Queryable, lease: Lease, leaseMs: number): Promise<boolean> {
  const result = await db.query(
    `UPDATE workflows SET lease_expires_at = now() + $3 * interval '1 millisecond'
     WHERE id = $1 AND fencing_token = $2 AND status IN ('pending', 'running')`,
    [lease.workflowId, lease.fencingToken, leaseMs],
  );
  return result.rowCount === 1;
}

/** Gives the lease up early (graceful stop) so another coordinator may take the run now. */
export async function expireLease(db: Queryable, lease: Lease): Promise<void> {
  await db.query(
    `UPDATE workflows SET lease_expires_at = now() WHERE id = $1 AND fencing_token = $2`,
    [lease.workflowId, lease.fencingToken],
  );
}

/** Unfinished runs nobody holds a live lease on, oldest expiry first. */
export async function findOrphanedRuns(db: Queryable, limit: number): Promise<string[]> {
  const result = await db.query<{ id: string }>(
    `SELECT id FROM workflows
     WHERE status IN ('pending', 'running') AND (lease_expires_at IS NULL OR lease_expires_at <= now())
     ORDER BY lease_expires_at NULLS FIRST LIMIT $1`,
    [limit],
  );
  return result.rows.map((row) => row.id);
}
