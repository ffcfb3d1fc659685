#!/usr/bin/env bash
# Starts a single-node Kafka (KRaft, broker and controller in one JVM) on 127.0.0.1 in the
# background and returns once clients can use it. Safe to run again: if the broker is
# already up it only waits for it to be ready.
#
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR (<repo>/.kafka),
#      KAFKA_START_TIMEOUT_SECONDS (60), KAFKA_HEAP_OPTS, KAFKA_JVM_OPTS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

timeout_seconds="${KAFKA_START_TIMEOUT_SECONDS:-60}"
started_at="$EPOCHREALTIME"

# server.log is appended to across runs (stdout.log is truncated at launch), and only this
# run's lines help: show_log_tail skips the lines that were there before.
declare -A log_start_line=([stdout]=0 [server]=0)

show_log_tail() {
  local name file run_lines shown=0
  for name in stdout server; do
    file="$KAFKA_APP_LOGS/$name.log"
    run_lines="$(tail -n +"$((log_start_line[$name] + 1))" "$file" 2>/dev/null)" || continue
    [[ -n "$run_lines" ]] || continue
    # The cause is usually an ERROR line followed by a long stack trace; show it first.
    grep -m 5 ' ERROR ' <<<"$run_lines" | sed 's/^/  /' >&2 || true
    log "last lines of $file:"
    tail -n 25 <<<"$run_lines" >&2
    shown=1
  done
  ((shown)) || log "no broker output yet in $KAFKA_APP_LOGS"
}

# Polls until the broker answers a Metadata request, the process dies or time runs out.
wait_until_ready() {
  local pid="$1" deadline=$((SECONDS + timeout_seconds))
  until metadata_lists_a_broker "$KAFKA_PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$KAFKA_PID_FILE"
      show_log_tail
      die "broker process $pid exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail
      # A half-started broker would make the next start.sh think all is well.
      "$KAFKA_SCRIPTS_DIR/stop.sh" || true
      die "broker not ready on 127.0.0.1:$KAFKA_PORT after ${timeout_seconds}s (KAFKA_START_TIMEOUT_SECONDS)"
    fi
    sleep 0.25
  done
  log "ready on 127.0.0.1:$KAFKA_PORT (pid $pid) after $(elapsed_seconds)s"
}

elapsed_seconds() {
  # EPOCHREALTIME is "seconds.micros"; awk does the float arithmetic bash cannot.
  awk -v a="$started_at" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'
}

if pid="$(running_broker_pid)"; then
  log "already running (pid $pid)"
  wait_until_ready "$pid"
  exit 0
fi
if port_open "$KAFKA_PORT"; then
  metadata_lists_a_broker "$KAFKA_PORT" ||
    die "127.0.0.1:$KAFKA_PORT is taken by something that does not answer as a Kafka broker"
  log "a Kafka broker not started by this script already answers on 127.0.0.1:$KAFKA_PORT; using it"
  exit 0
fi
rm -f "$KAFKA_PID_FILE"

java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
((${java_major:-0} >= 17)) || die "Kafka 4 needs Java 17 or newer, found '${java_major:-no java}'"

"$KAFKA_SCRIPTS_DIR/fetch.sh"

# Rendered on every start so edits to the template and port overrides take effect.
mkdir -p "$KAFKA_LOG_DIRS" "$KAFKA_APP_LOGS"
sed -e "s|@PORT@|$KAFKA_PORT|g" \
  -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
  -e "s|@LOG_DIRS@|$KAFKA_LOG_DIRS|g" \
  "$KAFKA_SCRIPTS_DIR/server.properties.template" >"$KAFKA_PROPS"

classpath="$KAFKA_LIB_DIR/*"
log4j_opts=(
  "-Dlog4j2.configurationFile=$KAFKA_SCRIPTS_DIR/log4j2.properties"
  "-Dkafka.logs.dir=$KAFKA_APP_LOGS"
)
# Serial GC: on a 2-core CI machine G1's concurrent threads compete with the tests for CPU,
# for short pauses a dev broker does not need.
# TieredStopAtLevel=1 (C1 JIT only): measured on 2 busy cores, startup CPU fell from
# 5.7-7.5 to 3.8-4.2 CPU-seconds and time to ready from 3.7-10.6 s to 3.2-4.8 s. Peak
# throughput is lower, which a dev broker does not notice.
read -ra jvm_opts <<<"${KAFKA_JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true}"
# kafka-server-start.sh would take 1 GiB; a test broker needs far less.
read -ra heap_opts <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"

# KRaft refuses to start on an unformatted log dir; formatting writes meta.properties with
# a cluster id, and a second format would fail, so it happens once per data dir.
if [[ ! -f "$KAFKA_LOG_DIRS/meta.properties" ]]; then
  storage_tool=(java "${jvm_opts[@]}" "${log4j_opts[@]}" -cp "$classpath" kafka.tools.StorageTool)
  cluster_id="$("${storage_tool[@]}" random-uuid)"
  log "formatting $KAFKA_LOG_DIRS for cluster $cluster_id"
  "${storage_tool[@]}" format -t "$cluster_id" -c "$KAFKA_PROPS" >"$KAFKA_APP_LOGS/format.log" 2>&1 ||
    { cat "$KAFKA_APP_LOGS/format.log" >&2; die "formatting $KAFKA_LOG_DIRS failed"; }
fi

log_start_line[server]="$(wc -l <"$KAFKA_APP_LOGS/server.log" 2>/dev/null || echo 0)"
log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT, data in $KAFKA_DATA_DIR"
# setsid puts the broker in its own session, so a Ctrl-C in the shell that ran start.sh
# does not reach it; it keeps the pid, since a background job is never a group leader.
setsid java "${heap_opts[@]}" "${jvm_opts[@]}" "${log4j_opts[@]}" \
  -cp "$classpath" kafka.Kafka "$KAFKA_PROPS" \
  >"$KAFKA_APP_LOGS/stdout.log" 2>&1 </dev/null &
echo "$!" >"$KAFKA_PID_FILE"

wait_until_ready "$!"
