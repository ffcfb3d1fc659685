-- Task and completion events of workflow runs, inserted by the same statement as the state
-- change they announce, so a committed step always has its event. The coordinator that
-- wrote a row publishes it right after the commit and deletes it once the broker
-- acknowledged it; a row still here when `publish_after` passes (its coordinator died, or
-- Kafka was down longer than the publisher retries) is published by the outbox sweeper of
-- any coordinator. Delivery is at least once: a consumer dedupes by the CloudEvent id.
CREATE TABLE IF NOT EXISTS workflow_event_outbox (
  event_id      uuid PRIMARY KEY,
  -- Insertion order, which is the order the engine made one run's events in.
  seq           bigserial NOT NULL,
  workflow_id   uuid NOT NULL,
  -- 'tasks' or 'completions': the topic without the deployment's prefix.
  topic         text NOT NULL CHECK (topic IN ('tasks', 'completions')),
  envelope      jsonb NOT NULL,
  publish_after timestamptz NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS workflow_event_outbox_due ON workflow_event_outbox (publish_after);
