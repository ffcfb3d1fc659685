-- One row per model invocation: the raw data every metric and model choice is computed from.
CREATE TABLE model_invocations (
  id            uuid PRIMARY KEY,
  model         text NOT NULL,
  provider      text NOT NULL,
  task_type     text NOT NULL,
  latency_ms    double precision NOT NULL,
  input_units   integer NOT NULL DEFAULT 0,
  output_units  integer NOT NULL DEFAULT 0,
  outcome       text NOT NULL CHECK (outcome IN ('success', 'error')),
  error_class   text,
  workflow_id   uuid,
  task_id       text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_invocations_model_time ON model_invocations (model, task_type, created_at DESC);
CREATE INDEX model_invocations_task_time ON model_invocations (task_type, created_at DESC);
