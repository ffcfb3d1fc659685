-- Every task and completion event of a workflow run, inserted by the same statement as the
-- state change it announces: the run's event history (Workflow.events, the replay of a
-- workflowEvents subscription) and, while `published_at` is null, the outbox of events
-- not yet on Kafka. The coordinator that wrote a row publishes it right after the commit
-- and marks it published once the broker acknowledged it; a row still unpublished when
-- `publish_after` passes (its coordinator died, or Kafka was down) is published by the
-- outbox sweeper of any coordinator. Delivery is at least once: consumers dedupe by the
-- CloudEvent id.
CREATE TABLE IF NOT EXISTS workflow_run_events (
  event_id      uuid PRIMARY KEY,
  -- Insertion order, which is the order the engine made one run's events in.
  seq           bigserial NOT NULL,
  workflow_id   uuid NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
  -- 'tasks' or 'completions': the topic without the deployment's prefix.
  topic         text NOT NULL CHECK (topic IN ('tasks', 'completions')),
  envelope      jsonb NOT NULL,
  publish_after timestamptz NOT NULL,
  published_at  timestamptz,
  -- Set when the broker refused the event for good (too large): it stays history only.
  rejected_at   timestamptz,
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS workflow_run_events_history ON workflow_run_events (workflow_id, seq);
CREATE INDEX IF NOT EXISTS workflow_run_events_unpublished
  ON workflow_run_events (publish_after) WHERE published_at IS NULL AND rejected_at IS NULL;
