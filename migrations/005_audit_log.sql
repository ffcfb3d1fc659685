-- Append-only record of authentication outcomes and security-relevant actions. Never
-- holds a secret: keys appear by id, tokens by subject.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  service     text NOT NULL,
  action      text NOT NULL,
  outcome     text NOT NULL CHECK (outcome IN ('success', 'failure')),
  reason      text,
  actor_kind  text,
  key_id      uuid,
  subject     text,
  ip          text,
  route       text,
  operation   text,
  workflow_id uuid,
  request_id  text,
  detail      jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_key ON audit_log (key_id, at DESC) WHERE key_id IS NOT NULL;

-- Append-only: rows can be added, never changed or removed.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
