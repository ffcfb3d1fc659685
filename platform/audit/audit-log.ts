/**
 * The append-only audit log. Entries are buffered and written in batches (one INSERT
 * per flush) so recording every authentication does not add a database round trip to
 * every request; failures are flushed at once, since they are what an investigation
 * looks for first. Secrets never reach it: keys appear by id, tokens by subject.
 */
import type { Database } from '../db/pool';
import type { Logger } from '../logger';

export interface AuditEntry {
  action: string;
  outcome: 'success' | 'failure';
  reason?: string;
  actorKind?: 'api_key' | 'jwt' | 'service';
  keyId?: string;
  subject?: string;
  ip?: string;
  route?: string;
  operation?: string;
  workflowId?: string;
  requestId?: string;
  detail?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  at: string;
  service: string;
}

export interface AuditFilter {
  action?: string;
  outcome?: 'success' | 'failure';
  keyId?: string;
  subject?: string;
  since?: Date;
  until?: Date;
  /** @default 50, at most 500 */
  limit?: number;
  /** Return entries older than this id (pagination). */
  beforeId?: string;
}

const FLUSH_INTERVAL_MS = 200;
const MAX_BUFFERED = 500;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AuditLog {
  private buffer: AuditEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly service: string,
    private readonly log: Logger,
  ) {}

  record(entry: AuditEntry): void {
    this.buffer.push(entry);
    if (entry.outcome === 'failure' || this.buffer.length >= MAX_BUFFERED) {
      void this.flush();
    } else {
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
    }
  }

  /** Writes everything buffered; resolves when it is stored (tests and shutdown await it). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(() => (batch.length > 0 ? this.write(batch) : undefined));
    return this.flushing;
  }

  async query(filter: AuditFilter = {}): Promise<AuditRecord[]> {
    await this.flush();
    const conditions: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      conditions.push(sql.replace('?', `$${values.length}`));
    };
    if (filter.action) add('action = ?', filter.action);
    if (filter.outcome) add('outcome = ?', filter.outcome);
    if (filter.keyId) add('key_id = ?', filter.keyId);
    if (filter.subject) add('subject = ?', filter.subject);
    if (filter.since) add('at >= ?', filter.since);
    if (filter.until) add('at < ?', filter.until);
    if (filter.beforeId) add('id < ?', filter.beforeId);
    values.push(Math.min(Math.max(filter.limit ?? 50, 1), 500));
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const result = await this.db.query<Record<string, unknown>>(
      `SELECT * FROM audit_log ${where} ORDER BY id DESC LIMIT $${values.length}`,
      values,
    );
    return result.rows.map(toRecord);
  }

  private async write(batch: AuditEntry[]): Promise<void> {
    const columns = 14;
    const values: unknown[] = [];
    const rows = batch.map((entry, index) => {
      values.push(
        this.service,
        entry.action,
        entry.outcome,
        entry.reason ?? null,
        entry.actorKind ?? null,
        entry.keyId && UUID_PATTERN.test(entry.keyId) ? entry.keyId : null,
        entry.subject ?? null,
        entry.ip ?? null,
        entry.route ?? null,
        entry.operation ?? null,
        entry.workflowId && UUID_PATTERN.test(entry.workflowId) ? entry.workflowId : null,
        entry.requestId ?? null,
        entry.detail ? JSON.stringify(entry.detail) : null,
        new Date(),
      );
      const base = index * columns;
      return `(${Array.from({ length: columns }, (_, column) => `$${base + column + 1}`).join(', ')})`;
    });
    try {
      await this.db.query(
        `INSERT INTO audit_log (service, action, outcome, reason, actor_kind, key_id, subject, ip, route,
                                operation, workflow_id, request_id, detail, at)
         VALUES ${rows.join(', ')}`,
        values,
      );
    } catch (error) {
      // Losing audit rows must be loud: it is logged with every entry's fields (no secrets).
      this.log.error({ err: error, lost: batch }, 'audit entries could not be stored');
    }
  }
}

function toRecord(row: Record<string, unknown>): AuditRecord {
  const optional = (value: unknown) => (value === null || value === undefined ? undefined : value);
  return {
    id: String(row['id']),
    at: (row['at'] as Date).toISOString(),
    service: row['service'] as string,
    action: row['action'] as string,
    outcome: row['outcome'] as 'success' | 'failure',
    reason: optional(row['reason']) as string | undefined,
    actorKind: optional(row['actor_kind']) as AuditEntry['actorKind'],
    keyId: optional(row['key_id']) as string | undefined,
    subject: optional(row['subject']) as string | undefined,
    ip: optional(row['ip']) as string | undefined,
    route: optional(row['route']) as string | undefined,
    operation: optional(row['operation']) as string | undefined,
    workflowId: optional(row['workflow_id']) as string | undefined,
    requestId: optional(row['request_id']) as string | undefined,
    detail: optional(row['detail']) as Record<string, unknown> | undefined,
  };
}
