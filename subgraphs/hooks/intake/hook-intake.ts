/**
 * The one code path that turns a delivery into a stored hook event, shared by
 * POST /api/v1/hooks/receive and the receiveHook mutation:
 *
 *   validate -> verify the signature (when the source has secrets) -> in one transaction,
 *   shared with the deliveries arriving at the same time (group commit): refuse a replayed
 *   signature, claim the idempotency key, insert event + history + outbox -> wake the
 *   relay -> answer.
 *
 * The answer is given only after COMMIT, so a 202 always means the event is durable. A
 * refused signature stores only a row in hook_rejections; bad input stores nothing.
 */
import { createHash, randomUUID } from 'node:crypto';

import type { ApiKeyIdentity } from '../../../platform/auth/api-keys';
import type { Database } from '../../../platform/db/pool';
import { createEnvelope } from '../../../platform/events/envelope';
import { EventTypes } from '../../../platform/events/topics';
import type { HookEventData } from '../../../platform/events/workflow-events';
import { AppError } from '../../../platform/errors';
import type { Logger } from '../../../platform/logger';
import { HookErrors } from '../errors';
import type { HookMetrics } from '../hook-metrics';
import type { SignatureVerifier } from '../signatures/signature-verifier';
import { GroupedEventWriter } from '../store/grouped-event-writer';
import { recordRejection } from '../store/rejection-store';
import { type RequestHeaders, auditedHeaders, headerValue } from './delivery-audit';
import {
  type HookPayload,
  canonicalJson,
  parseHookPayload,
  payloadFingerprint,
} from './hook-payload';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Delivery {
  /** The parsed JSON body (REST) or the mutation's input in the REST field names. */
  body: unknown;
  /** The bytes as received; signatures and the audit hash are computed over these. */
  rawBody: Buffer | undefined;
  headers: RequestHeaders;
  sourceIp: string | null;
  caller: ApiKeyIdentity;
  correlationId: string;
  /** An idempotency key given outside the headers (the mutation's input). */
  idempotencyKey?: string | undefined;
}

export interface AcceptedDelivery {
  eventId: string;
  status: 'accepted';
  /** True when an earlier delivery with the same idempotency key already stored it. */
  duplicate: boolean;
}

export interface HookIntakeOptions {
  db: Database;
  log: Logger;
  metrics: HookMetrics;
  signatures: SignatureVerifier;
  /** How long an idempotency key keeps answering with its first event. */
  idempotencyRetentionMs: number;
  /** Called after each commit of a new event (wakes the outbox relay). */
  onAccepted: () => void;
}

const MAX_IDEMPOTENCY_KEY_CHARS = 255;

/** Header names that carry a sender's delivery id, in the order they are preferred. */
const IDEMPOTENCY_HEADERS = ['idempotency-key', 'webhook-id', 'x-github-delivery'] as const;

export class HookIntake {
  /** Concurrent deliveries share transactions (group commit); see GroupedEventWriter. */
  readonly writer: GroupedEventWriter;

  constructor(private readonly options: HookIntakeOptions) {
    this.writer = new GroupedEventWriter(options.db);
  }

  async receive(delivery: Delivery): Promise<AcceptedDelivery> {
    const { metrics } = this.options;
    let payload: HookPayload;
    try {
      payload = parseHookPayload(delivery.body);
    } catch (error) {
      metrics.received.inc({ outcome: 'invalid' });
      throw error;
    }
    const idempotencyKey = this.idempotencyKey(delivery);
    const rawBody = delivery.rawBody ?? Buffer.from(canonicalJson(delivery.body));
    const audit = {
      sourceIp: delivery.sourceIp,
      // JWT callers have a subject, not a key id; the audit log records their subject.
      apiKeyId: UUID_PATTERN.test(delivery.caller.keyId) ? delivery.caller.keyId : null,
      headers: auditedHeaders(delivery.headers),
      bodySha256: createHash('sha256').update(rawBody).digest('hex'),
      signatureScheme: null as string | null,
    };

    const signature = await this.options.signatures
      .verify({ source: payload.source, headers: delivery.headers, rawBody })
      .catch((error: unknown) => this.reject(error, payload.source, audit));
    audit.signatureScheme = signature?.scheme ?? null;

    const eventId = randomUUID();
    const receivedAt = new Date();
    const data: HookEventData = {
      eventId,
      source: payload.source,
      action: payload.action,
      resource: payload.resource,
      resourceId: payload.resourceId,
      data: payload.data,
      receivedAt: receivedAt.toISOString(),
    };
    const envelope = createEnvelope({
      id: eventId,
      type: EventTypes.hookReceived,
      source: `/hooks/${payload.source}`,
      subject: payload.resourceId,
      correlationId: delivery.correlationId,
      time: receivedAt,
      data,
    });
    // Only a keyed delivery is ever compared with another; canonical JSON is not free.
    const fingerprint = idempotencyKey === undefined ? '' : payloadFingerprint(payload);

    const outcome = await this.storeOrFail(() =>
      this.writer.write({
        event: {
          id: eventId,
          payload,
          correlationId: delivery.correlationId,
          receivedAt,
          audit,
          idempotencyKey: idempotencyKey ?? null,
          envelope,
          partitionKey: payload.source,
        },
        idempotency:
          idempotencyKey === undefined
            ? undefined
            : {
                key: idempotencyKey,
                payloadFingerprint: fingerprint,
                retentionMs: this.options.idempotencyRetentionMs,
              },
        signature:
          signature?.replayDigest === undefined
            ? undefined
            : { digest: signature.replayDigest, windowMs: signature.replayWindowMs },
      }),
    );

    switch (outcome.kind) {
      case 'stored':
        metrics.received.inc({ outcome: 'accepted' });
        this.options.onAccepted();
        return { eventId, status: 'accepted', duplicate: false };
      case 'existing':
        if (outcome.payloadFingerprint !== fingerprint) {
          metrics.received.inc({ outcome: 'idempotency_conflict' });
          throw new AppError(
            HookErrors.IDEMPOTENCY_KEY_REUSED,
            'This idempotency key was already used with a different payload.',
            { idempotency_key: idempotencyKey, event_id: outcome.eventId },
          );
        }
        metrics.received.inc({ outcome: 'duplicate' });
        return { eventId: outcome.eventId, status: 'accepted', duplicate: true };
      case 'replayed':
        return this.reject(
          new AppError(HookErrors.SIGNATURE_REPLAYED, 'This signed delivery was already received.'),
          payload.source,
          audit,
        );
    }
  }

  private idempotencyKey(delivery: Delivery): string | undefined {
    const key =
      delivery.idempotencyKey ??
      IDEMPOTENCY_HEADERS.map((name) => headerValue(delivery.headers, name)).find(
        (value) => value !== undefined,
      );
    if (
      key !== undefined &&
      (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_CHARS || key.includes('\u0000'))
    ) {
      throw new AppError(HookErrors.VALIDATION_FAILED, 'The idempotency key is not valid.', {
        field_errors: {
          idempotency_key: `must be 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} characters, without NUL`,
        },
      });
    }
    return key;
  }

  private async storeOrFail<T>(store: () => Promise<T>): Promise<T> {
    try {
      return await store();
    } catch (error) {
      if (error instanceof AppError && error.retriable) {
        this.options.metrics.received.inc({ outcome: 'unavailable' });
      }
      throw error;
    }
  }

  /** Stores the audit row of a refused delivery, then rethrows why it was refused. */
  private async reject(
    error: unknown,
    source: string,
    audit: {
      sourceIp: string | null;
      apiKeyId: string | null;
      headers: Record<string, string>;
      bodySha256: string;
    },
  ): Promise<never> {
    if (error instanceof AppError && error.httpStatus === 401) {
      this.options.metrics.received.inc({ outcome: 'rejected_signature' });
      await recordRejection(this.options.db, { source, reason: error.code, ...audit }).catch(
        (recordError: unknown) =>
          this.options.log.warn(
            { err: recordError, source },
            'could not store the rejection audit row',
          ),
      );
    }
    throw error;
  }
}
