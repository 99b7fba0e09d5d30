#!/usr/bin/env bash
# Sourced by `./mapek test` (after scripts/toolchain.sh): everything the tests need that is not an
# npm package, installed and started by the project itself.
#
#   ensure_test_packages   Debian packages: chromium (headless console tests), the PostgreSQL
#                          $POSTGRESQL_MAJOR server binaries, prometheus with promtool
#                          (dashboard queries, rule tests), prometheus-alertmanager (the
#                          webhook receiver's e2e test), python3-venv when Python lacks it
#                          (the Python subscriber). Installed with apt-get when running
#                          as root on Debian; otherwise it stops and prints the command to run.
#   start_test_postgres    a throw-away PostgreSQL server: its own data directory under
#                          .tmp/ in the clone (under /tmp when postgres cannot reach the
#                          clone), a free loopback port, trust auth for the `postgres`
#                          superuser; exports TEST_DATABASE_ADMIN_URL. Skipped when the caller
#                          already set TEST_DATABASE_ADMIN_URL.
#   stop_test_postgres     stops it and removes its data directory (safe to call twice).
#   stop_test_environment  the EXIT trap of `./mapek test`: stops the test PostgreSQL and the
#                          dockerd of scripts/docker-engine.sh, then exits with the status the
#                          script had, whatever the clean-up steps returned.
# Sourced: no `set -e` here; failures `return 1` with a message.

test_env_say() { echo "mapek: $*" >&2; }

postgres_bin_dir() { echo "/usr/lib/postgresql/$POSTGRESQL_MAJOR/bin"; }

# Debian package name -> a file that proves it is installed.
test_env_missing_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x "$(postgres_bin_dir)/postgres" ] || missing+=("postgresql-$POSTGRESQL_MAJOR")
  { [ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ]; } || missing+=(prometheus)
  # A real Alertmanager calling the gateway's webhook receiver (e2e/src/alertmanager.e2e-spec.ts).
  [ -x /usr/bin/prometheus-alertmanager ] || missing+=(prometheus-alertmanager)
  # The Python subscriber's virtualenv (examples/subscribers/python/venv.sh).
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
  echo "${missing[@]}"
}

ensure_test_packages() {
  local missing
  missing="$(test_env_missing_packages)"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ] || [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
    test_env_say "the tests need these Debian packages, which only root can install:"
    test_env_say "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $missing"
    test_env_say "(or, not on Debian: Chromium at /usr/bin/chromium and PostgreSQL $POSTGRESQL_MAJOR's server,"
    test_env_say " or set TEST_DATABASE_ADMIN_URL to a PostgreSQL where the tests may create databases)"
    return 1
  fi
  # The packages would start their own daemons when an init system runs them; the tests start theirs.
  # The package would create and start a 'main' cluster on 5432; the tests run their own server.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
  fi
  test_env_say "installing $missing (apt-get)"
  local log
  log="$(mktemp)"
  # shellcheck disable=SC2086 # $missing is a list of package names
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    test_env_say "apt-get install $missing failed"
    return 1
  fi
  rm -f "$log"
  missing="$(test_env_missing_packages)"
  if [ -n "$missing" ]; then
    test_env_say "still missing after apt-get: $missing"
    return 1
  fi
}

TEST_POSTGRES_DIR=""

# Runs a PostgreSQL program as the user that owns the data directory: initdb and postgres refuse
# to run as root, so root hands them to Debian's `postgres` account.
test_postgres_run() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_test_postgres() {
  if [ -n "${TEST_DATABASE_ADMIN_URL:-}" ]; then
    test_env_say "using TEST_DATABASE_ADMIN_URL from the environment"
    return 0
  fi
  local bin
  bin="$(postgres_bin_dir)"
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    test_env_say "running as root, but there is no 'postgres' user to run the test database as"
    return 1
  fi
  mkdir -p "$MAPEK_ROOT/.tmp"
  local parent="$MAPEK_ROOT/.tmp"
  # The postgres account must reach its data directory: a clone inside a private directory
  # (mktemp -d, a home with mode 700) is closed to it, so the data goes under /tmp instead.
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$parent" 2>/dev/null; then
    parent="${TMPDIR:-/tmp}"
  fi
  TEST_POSTGRES_DIR="$(mktemp -d "$parent/mapek-postgres.XXXXXX")"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$TEST_POSTGRES_DIR"; fi
  local port
  port="$(node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
  local log="$TEST_POSTGRES_DIR.log"
  if ! test_postgres_run "$bin/initdb" -D "$TEST_POSTGRES_DIR/data" -U postgres --auth=trust --no-sync -E UTF8 >"$log" 2>&1; then
    cat "$log" >&2
    test_env_say "initdb failed"
    return 1
  fi
  # A scratch server for tests: durability off (the data dies with the run), room for many pools.
  if ! test_postgres_run "$bin/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -l "$TEST_POSTGRES_DIR/data/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$TEST_POSTGRES_DIR/data -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >>"$log" 2>&1; then
    cat "$log" "$TEST_POSTGRES_DIR/data/server.log" >&2 2>/dev/null
    test_env_say "the test PostgreSQL did not start"
    return 1
  fi
  rm -f "$log"
  export TEST_DATABASE_ADMIN_URL="postgres://postgres@127.0.0.1:$port/postgres"
  test_env_say "test PostgreSQL $POSTGRESQL_MAJOR on 127.0.0.1:$port (data in ${TEST_POSTGRES_DIR#"$MAPEK_ROOT"/})"
}

stop_test_postgres() {
  [ -n "$TEST_POSTGRES_DIR" ] || return 0
  if [ -d "$TEST_POSTGRES_DIR/data" ]; then
    test_postgres_run "$(postgres_bin_dir)/pg_ctl" -D "$TEST_POSTGRES_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$TEST_POSTGRES_DIR" "$TEST_POSTGRES_DIR.log"
  TEST_POSTGRES_DIR=""
}

# Under `set -e` a clean-up step that fails (a dockerd that already exited on SIGTERM, a data
# directory pg_ctl cannot stop) would cut the trap short and end the script with its own status:
# a run whose tests all passed once exited 1 that way. Called after `||`, errexit is off inside.
stop_test_environment() {
  local status=$?
  stop_test_postgres || true
  if declare -F stop_docker_engine >/dev/null; then stop_docker_engine || true; fi
  exit "$status"
}
