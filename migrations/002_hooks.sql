-- Webhook intake. A hook event and its outbox row commit in one transaction; the relay
-- publishes outbox rows to workflow.events and marks them, so an accepted event is never
-- lost between PostgreSQL and Kafka.
CREATE TABLE hook_events (
  id              uuid PRIMARY KEY,
  source          text NOT NULL,
  action          text NOT NULL,
  resource        text NOT NULL,
  resource_id     text NOT NULL,
  data            jsonb NOT NULL,
  status          text NOT NULL CHECK (status IN ('received', 'published', 'processed', 'failed', 'dead_lettered')),
  correlation_id  text NOT NULL,
  idempotency_key text,
  body_sha256     text NOT NULL,
  source_ip       text,
  api_key_id      uuid,
  headers         jsonb NOT NULL DEFAULT '{}',
  received_at     timestamptz NOT NULL DEFAULT now(),
  published_at    timestamptz,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX hook_events_idempotency_key ON hook_events (idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX hook_events_received ON hook_events (received_at DESC, id DESC);
CREATE INDEX hook_events_source_action ON hook_events (source, action, received_at DESC);

-- Every status an event passes through, with its time: the audit trail.
CREATE TABLE hook_event_history (
  id         bigserial PRIMARY KEY,
  event_id   uuid NOT NULL REFERENCES hook_events (id),
  status     text NOT NULL,
  detail     jsonb,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hook_event_history_event ON hook_event_history (event_id, id);

CREATE TABLE hook_outbox (
  id              bigserial PRIMARY KEY,
  event_id        uuid NOT NULL REFERENCES hook_events (id),
  partition_key   text NOT NULL,
  envelope        jsonb NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  published_at    timestamptz
);
CREATE INDEX hook_outbox_pending ON hook_outbox (id) WHERE published_at IS NULL;
