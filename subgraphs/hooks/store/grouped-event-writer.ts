/**
 * Group commit of accepted deliveries. Deliveries that arrive while a group is being
 * written wait and go together in the next one: one transaction, one multi-row INSERT per
 * table (signature claims, idempotency claims, events + history + outbox), so under load
 * a commit carries many webhooks, while a lone delivery is written at once with no added
 * delay. Each caller's promise settles only after the COMMIT of the group holding its
 * rows, so a 202 still means "durable".
 *
 * What one delivery does must not decide another's fate:
 * - Two deliveries of one group with the same idempotency key or signature digest would
 *   make one INSERT ... ON CONFLICT touch a row twice. The later one is held back for the
 *   next group, where the database answers it exactly as it answers any later retry
 *   (same event id, or 422 for another body; a replayed signature).
 * - A statement error (a unique violation, a value PostgreSQL refuses) fails the whole
 *   transaction. The group is then written again one delivery per transaction, so only
 *   the delivery that caused it fails. Connection failures fail the group at once: every
 *   member would hit them alone too.
 *
 * A group holds its transaction only for its own statements on one connection (never
 * while waiting on anything else), which the embedded PGlite mode needs.
 */
import { type Database, asDatabaseError, withTransaction } from '../../../platform/db/pool';
import type { Queryable } from '../../../platform/db/pool';
import { AppError } from '../../../platform/errors';
import type { NewHookEvent } from './hook-event-store';

export interface GroupedWrite {
  event: NewHookEvent;
  /** Claimed in the same transaction; an existing live claim stores nothing. */
  idempotency?: { key: string; payloadFingerprint: string; retentionMs: number } | undefined;
  /** A signature seen inside its window is a replay and stores nothing. */
  signature?: { digest: string; windowMs: number } | undefined;
}

export type WriteOutcome =
  | { kind: 'stored' }
  | { kind: 'existing'; eventId: string; payloadFingerprint: string }
  | { kind: 'replayed' };

interface Pending {
  write: GroupedWrite;
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

/** Deliveries one group carries at most (a 64-connection burst fits in one). */
const MAX_GROUP_WRITES = 128;
const DEFAULT_GROUPS_IN_FLIGHT = 4;

export interface GroupStats {
  groups: number;
  writes: number;
  /** Groups that failed as a whole and were written again one delivery at a time. */
  splits: number;
}

export class GroupedEventWriter {
  private pending: Pending[] = [];
  private groupsInFlight = 0;
  private readonly maxGroupsInFlight: number;
  readonly stats: GroupStats = { groups: 0, writes: 0, splits: 0 };

  /**
   * `maxGroupsInFlight`: groups written at the same time, each on its own connection. One
   * would leave the database idle while a group waits for its COMMIT's WAL flush; a few
   * let the next group be written meanwhile (and PostgreSQL flushes their commits
   * together), while leaving the pool's other connections to the relay and to queries.
   */
  constructor(
    private readonly db: Database,
    options: { maxGroupsInFlight?: number } = {},
  ) {
    this.maxGroupsInFlight = options.maxGroupsInFlight ?? DEFAULT_GROUPS_IN_FLIGHT;
  }

  /** Settles after the COMMIT that holds this write (or its refusal). */
  write(write: GroupedWrite): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      if (this.groupsInFlight < this.maxGroupsInFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.groupsInFlight += 1;
    try {
      while (this.pending.length > 0) {
        const group = this.takeGroup();
        this.stats.groups += 1;
        this.stats.writes += group.length;
        await this.writeGroup(group);
      }
    } finally {
      this.groupsInFlight -= 1;
    }
  }

  /** The next group in arrival order, minus deliveries whose key or digest is already in it. */
  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    const heldBack: Pending[] = [];
    const keys = new Set<string>();
    const digests = new Set<string>();
    for (const item of this.pending) {
      const key = item.write.idempotency?.key;
      const digest = item.write.signature?.digest;
      const clashes =
        (key !== undefined && keys.has(key)) || (digest !== undefined && digests.has(digest));
      if (clashes || group.length >= MAX_GROUP_WRITES) {
        heldBack.push(item);
        continue;
      }
      if (key !== undefined) keys.add(key);
      if (digest !== undefined) digests.add(digest);
      group.push(item);
    }
    this.pending = heldBack;
    return group;
  }

  private async writeGroup(group: Pending[]): Promise<void> {
    let outcomes: WriteOutcome[];
    try {
      outcomes = await this.commit(group.map((item) => item.write));
    } catch (error) {
      const failure = asDatabaseError(error);
      if (group.length === 1 || (failure instanceof AppError && failure.retriable)) {
        for (const item of group) item.reject(failure);
        return;
      }
      // One member's statement error aborted everyone's transaction: find it by writing
      // each alone. Costs one transaction per member, only for a group that failed.
      this.stats.splits += 1;
      for (const item of group) await this.writeGroup([item]);
      return;
    }
    group.forEach((item, index) => item.resolve(outcomes[index] as WriteOutcome));
  }

  /** Writes the group; returns each write's outcome, in order, once committed. */
  private async commit(writes: GroupedWrite[]): Promise<WriteOutcome[]> {
    const needsClaims = writes.some((write) => write.idempotency ?? write.signature);
    // Without claims the insert is one statement, and a statement is its own transaction.
    if (!needsClaims) {
      await insertHookEvents(
        this.db,
        writes.map((write) => write.event),
      );
      return writes.map(() => ({ kind: 'stored' }));
    }
    return withTransaction(this.db, async (client) => {
      const outcomes: Array<WriteOutcome | undefined> = writes.map(() => undefined);
      const replayed = await claimSignatures(
        client,
        writes.flatMap((write) => write.signature ?? []),
      );
      writes.forEach((write, index) => {
        if (write.signature && replayed.has(write.signature.digest)) {
          outcomes[index] = { kind: 'replayed' };
        }
      });
      const claims = writes.flatMap((write, index) =>
        outcomes[index] === undefined && write.idempotency
          ? [{ ...write.idempotency, eventId: write.event.id }]
          : [],
      );
      const existing = await claimIdempotencyKeys(client, claims);
      writes.forEach((write, index) => {
        const found = write.idempotency && existing.get(write.idempotency.key);
        if (outcomes[index] === undefined && found) outcomes[index] = found;
      });
      const stored = writes.filter((_, index) => outcomes[index] === undefined);
      await insertHookEvents(
        client,
        stored.map((write) => write.event),
      );
      return outcomes.map((outcome) => outcome ?? { kind: 'stored' });
    });
  }
}

/**
 * Records each signature digest as seen for its window; returns the digests that were
 * already seen inside their window (replays). Expired records are taken over. Sorted, so
 * two groups (two replicas) lock the same rows in the same order and cannot deadlock.
 */
async function claimSignatures(
  db: Queryable,
  signatures: Array<{ digest: string; windowMs: number }>,
): Promise<Set<string>> {
  if (signatures.length === 0) return new Set();
  const sorted = [...signatures].sort((a, b) => (a.digest < b.digest ? -1 : 1));
  const result = await db.query<{ signature_digest: string }>(
    `INSERT INTO hook_signature_replays (signature_digest, expires_at)
     SELECT digest, now() + window_ms * interval '1 millisecond'
     FROM unnest($1::text[], $2::float8[]) AS claim (digest, window_ms)
     ON CONFLICT (signature_digest) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE hook_signature_replays.expires_at <= now()
     RETURNING signature_digest`,
    [sorted.map((claim) => claim.digest), sorted.map((claim) => claim.windowMs)],
  );
  const fresh = new Set(result.rows.map((row) => row.signature_digest));
  return new Set(sorted.map((claim) => claim.digest).filter((digest) => !fresh.has(digest)));
}

/**
 * Claims each key for its event unless a live claim exists (an expired one is taken over).
 * Returns the keys that were already claimed, with the event and fingerprint they answer
 * with. A concurrent claim of the same key in another transaction waits for it, then sees it.
 */
async function claimIdempotencyKeys(
  db: Queryable,
  claims: Array<{ key: string; eventId: string; payloadFingerprint: string; retentionMs: number }>,
): Promise<Map<string, WriteOutcome & { kind: 'existing' }>> {
  const existing = new Map<string, WriteOutcome & { kind: 'existing' }>();
  if (claims.length === 0) return existing;
  const sorted = [...claims].sort((a, b) => (a.key < b.key ? -1 : 1));
  const inserted = await db.query<{ key: string }>(
    `INSERT INTO hook_idempotency_keys (key, event_id, payload_fingerprint, expires_at)
     SELECT key, event_id, fingerprint, now() + retention_ms * interval '1 millisecond'
     FROM unnest($1::text[], $2::uuid[], $3::text[], $4::float8[])
       AS claim (key, event_id, fingerprint, retention_ms)
     ON CONFLICT (key) DO UPDATE
       SET event_id = EXCLUDED.event_id,
           payload_fingerprint = EXCLUDED.payload_fingerprint,
           created_at = now(),
           expires_at = EXCLUDED.expires_at
       WHERE hook_idempotency_keys.expires_at <= now()
     RETURNING key`,
    [
      sorted.map((claim) => claim.key),
      sorted.map((claim) => claim.eventId),
      sorted.map((claim) => claim.payloadFingerprint),
      sorted.map((claim) => claim.retentionMs),
    ],
  );
  const claimed = new Set(inserted.rows.map((row) => row.key));
  const taken = sorted.map((claim) => claim.key).filter((key) => !claimed.has(key));
  if (taken.length === 0) return existing;
  const rows = await db.query<{ key: string; event_id: string; payload_fingerprint: string }>(
    `SELECT key, event_id, payload_fingerprint FROM hook_idempotency_keys WHERE key = ANY($1)`,
    [taken],
  );
  for (const row of rows.rows) {
    existing.set(row.key, {
      kind: 'existing',
      eventId: row.event_id,
      payloadFingerprint: row.payload_fingerprint,
    });
  }
  // Deleted between the two statements by the retention sweep: fail the group, whose
  // members are then written one by one, and the missing key is claimed afresh.
  const vanished = taken.find((key) => !existing.has(key));
  if (vanished !== undefined) {
    throw new Error(`idempotency key ${vanished} vanished while being claimed`);
  }
  return existing;
}

/**
 * Inserts the events, their 'received' history rows and their outbox rows in one
 * statement. Outbox ids follow the order of `events`, which is arrival order, so
 * per-source order holds for the relay.
 */
export async function insertHookEvents(
  db: Queryable,
  events: readonly NewHookEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const column = <T>(pick: (event: NewHookEvent) => T) => events.map(pick);
  await db.query(
    `WITH input AS (
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                            $6::jsonb[], $7::text[], $8::text[], $9::text[], $10::text[],
                            $11::uuid[], $12::jsonb[], $13::text[], $14::timestamptz[],
                            $15::jsonb[], $16::text[], $17::jsonb[])
         WITH ORDINALITY AS row (id, source, action, resource, resource_id, data,
           correlation_id, idempotency_key, body_sha256, source_ip, api_key_id, headers,
           signature_scheme, received_at, history_detail, partition_key, envelope, position)
     ), event AS (
       INSERT INTO hook_events (id, source, action, resource, resource_id, data, status,
         correlation_id, idempotency_key, body_sha256, source_ip, api_key_id, headers,
         signature_scheme, received_at, updated_at)
       SELECT id, source, action, resource, resource_id, data, 'received', correlation_id,
         idempotency_key, body_sha256, source_ip, api_key_id, headers, signature_scheme,
         received_at, received_at
       FROM input
     ), history AS (
       INSERT INTO hook_event_history (event_id, status, detail, at)
       SELECT id, 'received', history_detail, received_at FROM input ORDER BY position
     )
     INSERT INTO hook_outbox (event_id, partition_key, envelope, created_at, next_attempt_at)
     SELECT id, partition_key, envelope, received_at, received_at FROM input ORDER BY position`,
    [
      column((event) => event.id),
      column((event) => event.payload.source),
      column((event) => event.payload.action),
      column((event) => event.payload.resource),
      column((event) => event.payload.resourceId),
      column((event) => JSON.stringify(event.payload.data)),
      column((event) => event.correlationId),
      column((event) => event.idempotencyKey),
      column((event) => event.audit.bodySha256),
      column((event) => event.audit.sourceIp),
      column((event) => event.audit.apiKeyId),
      column((event) => JSON.stringify(event.audit.headers)),
      column((event) => event.audit.signatureScheme),
      column((event) => event.receivedAt),
      column((event) =>
        JSON.stringify({ api_key_id: event.audit.apiKeyId, source_ip: event.audit.sourceIp }),
      ),
      column((event) => event.partitionKey),
      column((event) => JSON.stringify(event.envelope)),
    ],
  );
}
