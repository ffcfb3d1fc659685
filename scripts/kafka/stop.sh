#!/usr/bin/env bash
# Stops the broker started by start.sh: SIGTERM for a clean shutdown, SIGKILL if it has
# not exited after KAFKA_STOP_TIMEOUT_SECONDS (30). Safe to run when nothing is running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

timeout_seconds="${KAFKA_STOP_TIMEOUT_SECONDS:-30}"

if ! pid="$(running_broker_pid)"; then
  rm -f "$KAFKA_PID_FILE"
  log "not running"
  exit 0
fi

# A clean shutdown flushes the logs, so the next start skips log recovery.
log "stopping broker (pid $pid)"
kill -TERM "$pid"
deadline=$((SECONDS + timeout_seconds))
while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
  sleep 0.2
done

if kill -0 "$pid" 2>/dev/null; then
  log "still running after ${timeout_seconds}s; sending SIGKILL"
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
fi
rm -f "$KAFKA_PID_FILE"
log "stopped"
