-- Workflow definitions (versioned), triggers from hook events, runs and their tasks.
CREATE TABLE workflow_definitions (
  name       text NOT NULL,
  version    integer NOT NULL,
  definition jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);

CREATE TABLE workflow_triggers (
  id              uuid PRIMARY KEY,
  source          text NOT NULL,
  action          text NOT NULL,
  definition_name text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, action, definition_name)
);

CREATE TABLE workflows (
  id                 uuid PRIMARY KEY,
  definition_name    text NOT NULL,
  definition_version integer NOT NULL,
  definition         jsonb NOT NULL,
  input              jsonb NOT NULL DEFAULT '{}',
  status             text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
  hook_event_id      uuid,
  -- The triggering hook event as templates see it ({{event.data.x}}), kept for resumption.
  trigger_event      jsonb,
  correlation_id     text NOT NULL,
  output             jsonb,
  error              text,
  degraded           boolean NOT NULL DEFAULT false,
  cancel_requested   boolean NOT NULL DEFAULT false,
  -- The lease: who runs the workflow until when, and the fencing token every write checks.
  lease_owner        text,
  lease_expires_at   timestamptz,
  fencing_token      bigint NOT NULL DEFAULT 0,
  created_at         timestamptz NOT NULL DEFAULT now(),
  started_at         timestamptz,
  completed_at       timestamptz
);
-- One run per (triggering event, definition): redelivered events start nothing new.
CREATE UNIQUE INDEX workflows_trigger_once ON workflows (hook_event_id, definition_name)
  WHERE hook_event_id IS NOT NULL;
CREATE INDEX workflows_created ON workflows (created_at DESC, id DESC);
CREATE INDEX workflows_unfinished ON workflows (lease_expires_at) WHERE status IN ('pending', 'running');

CREATE TABLE workflow_tasks (
  workflow_id  uuid NOT NULL REFERENCES workflows (id),
  task_id      text NOT NULL,
  type         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('pending', 'running', 'completed', 'failed', 'skipped')),
  attempts     integer NOT NULL DEFAULT 0,
  depends_on   text[] NOT NULL DEFAULT '{}',
  input        jsonb,
  output       jsonb,
  error        text,
  degraded     boolean NOT NULL DEFAULT false,
  -- The model-metrics invocation a model_inference task made (ModelInvocation @key).
  invocation_id text,
  started_at   timestamptz,
  completed_at timestamptz,
  PRIMARY KEY (workflow_id, task_id)
);

-- Consumer idempotency: an event id recorded here was handled by that consumer.
CREATE TABLE processed_events (
  consumer     text NOT NULL,
  event_id     text NOT NULL,
  outcome      text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);

-- workflow.events messages that failed past their retries: what was published to
-- workflow.events.dlq, kept here too so operators can list and replay them.
CREATE TABLE workflow_dead_letters (
  id               uuid PRIMARY KEY,
  event_id         text,
  topic            text NOT NULL,
  partition        integer NOT NULL,
  "offset"         text NOT NULL,
  message_key      text,
  message_value    bytea,
  message_headers  jsonb NOT NULL,
  error            text NOT NULL,
  attempts         integer NOT NULL,
  first_failed_at  timestamptz NOT NULL,
  last_failed_at   timestamptz NOT NULL,
  replayed_at      timestamptz,
  UNIQUE (topic, partition, "offset")
);
CREATE INDEX workflow_dead_letters_pending ON workflow_dead_letters (last_failed_at)
  WHERE replayed_at IS NULL;
