-- An outbox row the broker refused for good (over its message size limit, say) is set
-- aside instead of retried forever: `rejected_at` takes it out of the relay's pending rows
-- (its event is marked failed, with the reason in its history), so the rows behind it flow.
ALTER TABLE hook_outbox ADD COLUMN IF NOT EXISTS rejected_at timestamptz;

DROP INDEX IF EXISTS hook_outbox_pending;
CREATE INDEX hook_outbox_pending ON hook_outbox (id) WHERE published_at IS NULL AND rejected_at IS NULL;
