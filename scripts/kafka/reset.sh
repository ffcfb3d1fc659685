#!/usr/bin/env bash
# Stops the broker and deletes its topics, offsets, logs and config, so the next start.sh
# formats a new, empty cluster. The downloaded jars are kept.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

"$KAFKA_SCRIPTS_DIR/stop.sh"

# Named paths only, never the whole KAFKA_DATA_DIR: by default it also holds lib/, and an
# override might point at a directory that holds other things.
rm -rf "$KAFKA_LOG_DIRS" "$KAFKA_APP_LOGS" "$KAFKA_PROPS" "$KAFKA_PID_FILE"
log "deleted broker data in $KAFKA_DATA_DIR"
