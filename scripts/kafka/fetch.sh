#!/usr/bin/env bash
# Downloads the Kafka broker and its runtime jars (pinned in pom.xml) into .kafka/lib.
# Safe to run again: it does nothing while the jars match the pom.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

pom="$KAFKA_SCRIPTS_DIR/pom.xml"
marker="$KAFKA_LIB_DIR/.fetched"
# The marker holds a hash of the whole pom, so changing the log4j version refetches too,
# not only a new Kafka version.
wanted="kafka $KAFKA_VERSION, pom sha256 $(sha256sum "$pom" | cut -d' ' -f1)"

if [[ -f "$marker" && "$(<"$marker")" == "$wanted" && -f "$KAFKA_LIB_DIR/kafka_2.13-$KAFKA_VERSION.jar" ]]; then
  log "jars for Kafka $KAFKA_VERSION already in $KAFKA_LIB_DIR"
  exit 0
fi

command -v mvn >/dev/null || die "mvn not found; Maven is needed once to download the Kafka jars"

# Copy into a fresh directory and swap it in: jars of an older version left next to the
# new ones would end up on the same classpath, and an interrupted copy must not look done.
log "fetching Kafka $KAFKA_VERSION jars with Maven into $KAFKA_LIB_DIR"
staging="$KAFKA_LIB_DIR.tmp"
rm -rf "$staging"
# sed: Debian's Maven 3.8.7 prints bare colour-reset codes even in batch mode (-B).
mvn -q -B -f "$pom" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$staging" 2>&1 | sed $'s/\e\\[0m//g' >&2
rm -rf "$KAFKA_LIB_DIR"
mv "$staging" "$KAFKA_LIB_DIR"
echo "$wanted" >"$marker"

# Keep the generated .kafka/ out of git without editing the repo's .gitignore.
if [[ -d "$REPO_ROOT/.kafka" && ! -f "$REPO_ROOT/.kafka/.gitignore" ]]; then
  echo '*' >"$REPO_ROOT/.kafka/.gitignore"
fi

log "fetched $(find "$KAFKA_LIB_DIR" -name '*.jar' | wc -l) jars"
