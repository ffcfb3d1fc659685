-- Webhook intake. A hook event, its first history row and its outbox row commit in one
-- transaction; the relay publishes outbox rows to workflow.events and marks them, so an
-- accepted event is never lost between PostgreSQL and Kafka.
CREATE TABLE hook_events (
  id              uuid PRIMARY KEY,
  source          text NOT NULL,
  action          text NOT NULL,
  resource        text NOT NULL,
  resource_id     text NOT NULL,
  data            jsonb NOT NULL,
  status          text NOT NULL CHECK (status IN ('received', 'published', 'processed', 'failed', 'dead_lettered')),
  correlation_id  text NOT NULL,
  -- Audit trail of the delivery: which key sent it from where, what it looked like.
  idempotency_key text,
  body_sha256     text NOT NULL,
  source_ip       text,
  api_key_id      uuid,
  headers         jsonb NOT NULL DEFAULT '{}',
  signature_scheme text,
  received_at     timestamptz NOT NULL DEFAULT now(),
  published_at    timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hook_events_received ON hook_events (received_at DESC, id DESC);
CREATE INDEX hook_events_source_received ON hook_events (source, received_at DESC, id DESC);
CREATE INDEX hook_events_status_received ON hook_events (status, received_at DESC, id DESC);

-- Every status an event passes through, with its time: the audit trail.
CREATE TABLE hook_event_history (
  id         bigserial PRIMARY KEY,
  event_id   uuid NOT NULL REFERENCES hook_events (id) ON DELETE CASCADE,
  status     text NOT NULL,
  detail     jsonb,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hook_event_history_event ON hook_event_history (event_id, id);

-- The transactional outbox. `attempts`, `last_error` and `next_attempt_at` record publish
-- failures; the relay keeps rows in id order, so per-source order survives retries.
CREATE TABLE hook_outbox (
  id              bigserial PRIMARY KEY,
  event_id        uuid NOT NULL REFERENCES hook_events (id) ON DELETE CASCADE,
  partition_key   text NOT NULL,
  envelope        jsonb NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  published_at    timestamptz
);
CREATE INDEX hook_outbox_pending ON hook_outbox (id) WHERE published_at IS NULL;

-- One row per relay role: whoever holds an unexpired lease is the only publisher (see
-- subgraphs/hooks/outbox/relay-lease.ts for why a lease row and not an advisory lock).
CREATE TABLE hook_relay_leases (
  name       text PRIMARY KEY,
  holder     text NOT NULL,
  -- Grows each time the lease changes hands, so a log line can tell terms apart.
  term       bigint NOT NULL,
  expires_at timestamptz NOT NULL
);

-- Idempotency keys (webhook-id, Idempotency-Key), kept for a configurable time. Separate
-- from hook_events so an expired key can be forgotten while the event and its audit stay.
CREATE TABLE hook_idempotency_keys (
  key                 text PRIMARY KEY,
  -- Deferred: intake claims the key first, before the event row of the same transaction.
  event_id            uuid NOT NULL REFERENCES hook_events (id) ON DELETE CASCADE
                      DEFERRABLE INITIALLY DEFERRED,
  payload_fingerprint text NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  expires_at          timestamptz NOT NULL
);
CREATE INDEX hook_idempotency_keys_expiry ON hook_idempotency_keys (expires_at);

-- Signing secrets per source. Several may be active at once so a sender can rotate
-- without downtime: a signature made with any active secret is accepted.
-- TODO(issue 3): secrets are stored as given; encrypt them at rest once a key store exists.
CREATE TABLE hook_source_secrets (
  id          uuid PRIMARY KEY,
  source      text NOT NULL,
  scheme      text NOT NULL CHECK (scheme IN ('standard-webhooks', 'github', 'stripe')),
  secret      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX hook_source_secrets_active ON hook_source_secrets (source) WHERE revoked_at IS NULL;

-- Signatures already accepted, kept for the timestamp tolerance: the same signed request
-- sent again inside that window is a replay and is refused.
CREATE TABLE hook_signature_replays (
  signature_digest text PRIMARY KEY,
  expires_at       timestamptz NOT NULL
);
CREATE INDEX hook_signature_replays_expiry ON hook_signature_replays (expires_at);

-- Deliveries refused before they became events (bad or stale signature, replay): only
-- this audit row is stored for them.
CREATE TABLE hook_rejections (
  id          uuid PRIMARY KEY,
  source      text,
  reason      text NOT NULL,
  source_ip   text,
  api_key_id  uuid,
  headers     jsonb NOT NULL DEFAULT '{}',
  body_sha256 text NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hook_rejections_at ON hook_rejections (at DESC);
