-- Recent successful model inference answers, by a hash of (task type, input, model): the
-- fallback a workflow's model_inference task answers from, marked degraded, while the
-- model-metrics service is unavailable. Kept in PostgreSQL rather than Redis because
-- every deployment has it (Redis is optional) and it outlives restarts of the workflows
-- service, which is when a cached answer is most needed.
CREATE TABLE IF NOT EXISTS model_inference_cache (
  input_hash TEXT PRIMARY KEY,
  task_type TEXT NOT NULL,
  answer JSONB NOT NULL,
  stored_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS model_inference_cache_stored_at ON model_inference_cache (stored_at);
