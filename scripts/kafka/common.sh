# Paths, env overrides and helpers shared by fetch.sh, start.sh, stop.sh and reset.sh.
# Sourced, not run: it sets variables in the caller's shell.
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file

KAFKA_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$KAFKA_SCRIPTS_DIR/../.." && pwd)"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# Everything a broker run writes: server.properties, data/, logs/, kafka.pid.
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$REPO_ROOT/.kafka}"
# Absolute, so log.dirs in server.properties does not depend on the caller's directory.
[[ "$KAFKA_DATA_DIR" == /* ]] || KAFKA_DATA_DIR="$PWD/$KAFKA_DATA_DIR"
# The jars stay in the repo even when KAFKA_DATA_DIR points elsewhere (say a CI temp dir),
# so a fresh data dir does not mean a fresh download.
KAFKA_LIB_DIR="${KAFKA_LIB_DIR:-$REPO_ROOT/.kafka/lib}"

KAFKA_PROPS="$KAFKA_DATA_DIR/server.properties"
KAFKA_LOG_DIRS="$KAFKA_DATA_DIR/data"
KAFKA_APP_LOGS="$KAFKA_DATA_DIR/logs"
KAFKA_PID_FILE="$KAFKA_DATA_DIR/kafka.pid"

# The pom is the one place the Kafka version is written down.
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$KAFKA_SCRIPTS_DIR/pom.xml")"

log() { printf 'kafka: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Prints the pid of the broker started by start.sh, if it is still alive. The command line
# is checked because a stale pid file may name a pid the OS has since given to another
# process.
running_broker_pid() {
  local pid
  [[ -f "$KAFKA_PID_FILE" ]] || return 1
  pid="$(<"$KAFKA_PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  echo "$pid"
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Succeeds when a Kafka broker on 127.0.0.1:$1 answers a Metadata request listing at least
# one broker. An open port is not enough: the listener accepts connections before the
# broker has caught up with the KRaft metadata log, and a broker that is still fenced is
# left out of Metadata responses, so clients could not use it yet.
#
# The request is Metadata v4 (Kafka 4.1.1 accepts v0-v13) with topics = null. v4 is not a
# "flexible" version, so both headers are fixed-width and the broker count sits at a fixed
# place in the response:
#   request:  length=20 | api_key=3 | api_version=4 | correlation_id=1 | client_id="ready"
#             | topics=-1 (null) | allow_auto_topic_creation=false
#   response: length | correlation_id | throttle_time_ms | broker count | ...
metadata_lists_a_broker() {
  local reply bytes
  # shellcheck disable=SC2016 # single quotes on purpose: the inner bash gets the port as $1
  reply="$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "\x00\x00\x00\x14\x00\x03\x00\x04\x00\x00\x00\x01\x00\x05ready\xff\xff\xff\xff\x00" >&3
    od -An -tu1 -N16 <&3
  ' _ "$1" 2>/dev/null)" || return 1
  read -ra bytes <<<"$reply"
  ((${#bytes[@]} == 16)) || return 1
  # Bytes 4-7 echo our correlation id; bytes 12-15 are the broker count (big-endian).
  ((bytes[7] == 1)) || return 1
  ((bytes[12] * 16777216 + bytes[13] * 65536 + bytes[14] * 256 + bytes[15] >= 1))
}
