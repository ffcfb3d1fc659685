-- The run retention (subgraphs/workflows/run-retention.ts) deletes processed-event records
-- by age: without this index each round would scan the whole table.
CREATE INDEX IF NOT EXISTS processed_events_processed_at ON processed_events (processed_at);
