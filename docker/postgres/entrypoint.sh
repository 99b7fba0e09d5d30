#!/bin/bash
# PostgreSQL for mapek's knowledge service, as the compose stack runs it:
#   - TLS 1.3 only over the network, and only for one role on one database, authenticated by its
#     client certificate from the mapek CA (`hostssl <db> <role> all cert`: the certificate's CN is
#     the role, `knowledge`); no passwords exist. The superuser is reachable only on the local socket.
#   - The first start creates the cluster, the role and its database in $PGDATA (a volume).
# Starts as root to hand the key to the postgres user (the credentials volume is root's), then runs
# the server as postgres. Reads /run/mapek/certs/{ca.crt,postgres/server.crt,postgres/server.key}.
set -euo pipefail

certs="${MAPEK_CERTS:-/run/mapek/certs}"
database="${MAPEK_DATABASE_NAME:-knowledge}"
role="${MAPEK_DATABASE_ROLE:-knowledge}"
run=/var/run/postgresql
tls="$run/tls"

say() { echo "mapek-postgres: $*" >&2; }

missing=()
for file in ca.crt postgres/server.crt postgres/server.key; do
  [ -r "$certs/$file" ] || missing+=("$certs/$file")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "refusing to start without TLS: missing ${missing[*]} (the credentials service installs them from MAPEK_CERTS_DIR)"
  exit 78
fi
for name in "$database" "$role"; do
  if ! [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]]; then
    say "refusing to start: '$name' is not a plain SQL identifier (MAPEK_DATABASE_NAME, MAPEK_DATABASE_ROLE)"
    exit 78
  fi
done

install -d -o postgres -g postgres -m 0755 "$run"
install -d -o postgres -g postgres -m 0700 "$tls"
install -o postgres -g postgres -m 0600 "$certs/postgres/server.key" "$tls/server.key"
install -o postgres -g postgres -m 0644 "$certs/postgres/server.crt" "$tls/server.crt"
install -o postgres -g postgres -m 0644 "$certs/ca.crt" "$tls/ca.crt"
install -d -o postgres -g postgres -m 0700 "$PGDATA"

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  say "creating the cluster in $PGDATA, role $role and database $database"
  as_postgres initdb --pgdata="$PGDATA" --username=postgres --auth-local=peer --auth-host=reject --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  as_postgres postgres --single -D "$PGDATA" -c hba_file="$PGDATA/pg_hba.conf" postgres >/dev/null <<SQL
CREATE ROLE $role LOGIN;
CREATE DATABASE $database OWNER $role;
SQL
fi

# Rewritten on every start, so the rules here are the rules in force.
cat >"$tls/pg_hba.conf" <<HBA
# Written by mapek-postgres at start.
local   all        postgres                 peer
hostssl $database  $role     all            cert
HBA
chown postgres:postgres "$tls/pg_hba.conf"

exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -D "$PGDATA" \
  -c listen_addresses='*' \
  -c unix_socket_directories="$run" \
  -c hba_file="$tls/pg_hba.conf" \
  -c ssl=on \
  -c ssl_min_protocol_version=TLSv1.3 \
  -c ssl_cert_file="$tls/server.crt" \
  -c ssl_key_file="$tls/server.key" \
  -c ssl_ca_file="$tls/ca.crt" \
  "$@"
