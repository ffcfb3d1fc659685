-- One row per model invocation: the raw data every metric and model choice is computed from.
-- Requests rejected before a model ran (unknown task type or model, empty or oversized
-- input) are not invocations and are not recorded here.
CREATE TABLE model_invocations (
  id            uuid PRIMARY KEY,
  model         text NOT NULL,
  provider      text NOT NULL,
  task_type     text NOT NULL,
  latency_ms    double precision NOT NULL CHECK (latency_ms >= 0),
  input_units   integer NOT NULL DEFAULT 0,
  output_units  integer NOT NULL DEFAULT 0,
  -- Units times the model's configured per-unit costs; 0 for the local models.
  cost          double precision NOT NULL DEFAULT 0,
  outcome       text NOT NULL CHECK (outcome IN ('success', 'error')),
  error_class   text,
  workflow_id   uuid,
  task_id       text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((outcome = 'error') = (error_class IS NOT NULL))
);
CREATE INDEX model_invocations_model_time ON model_invocations (model, task_type, created_at DESC);
CREATE INDEX model_invocations_task_time ON model_invocations (task_type, created_at DESC);
