#!/usr/bin/env bash
# Makes the credentials directory the compose stack reads (MAPEK_CERTS_DIR, default ./certs), keeping
# whatever already exists in it, so running it again is harmless:
#
#   1. `mapek pki init`: the CA, one identity per service (and `agent`, `cli`), the trust bundle and
#      the nats-server config, with the compose service names in the NATS server certificate.
#   2. nats/route.crt: the certificate the NATS nodes present to each other. nats-server requires
#      mutual TLS on cluster routes, and the server certificate of `mapek pki` is for servers only
#      (extended key usage serverAuth), so the routes get one that is both (clientAuth, serverAuth).
#   3. postgres/server.crt: PostgreSQL's server certificate (DNS name `postgres`).
#   4. grafana/admin-password: a random password for Grafana's admin (the observability profile).
#   5. A gateway API key with the admin role, when there is no keys file yet: its token is printed
#      once and kept in <dir>/admin.api-key (0600); the keys file holds only its digest.
#
#   docker/init-credentials.sh [dir]          (run from anywhere; needs openssl and what ./mapek needs)
#
# MAPEK_PKI overrides the command that runs `mapek pki` (default: ./mapek pki, which builds first);
# the tests use `node tools/pki/dist/cli.js`. MAPEK_CERT_DAYS: validity of the two certificates
# made here (default 90, as `mapek pki`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-$root/certs}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
days="${MAPEK_CERT_DAYS:-90}"
read -r -a pki <<<"${MAPEK_PKI:-$root/mapek pki}"

say() { echo "init-credentials: $*" >&2; }

if ! command -v openssl >/dev/null 2>&1; then
  say "needs the openssl command (Debian: apt-get install openssl)"
  exit 1
fi

"${pki[@]}" init --out "$dir" --nats-hostname nats-1 --nats-hostname nats-2 --nats-hostname nats-3 >/dev/null
say "mapek pki init: CA, identities, trust bundle and nats-server config in $dir"

trust_domain="$(openssl x509 -in "$dir/ca.crt" -noout -subject -nameopt multiline | sed -n 's/^ *organizationalUnitName *= *//p')"

# A leaf certificate from the development CA, made like `mapek pki` makes its own (ECDSA P-256).
issue() {
  local name="$1" common_name="$2" usage="$3" names="$4"
  local cert="$dir/$name.crt" key="$dir/$name.key"
  if [ -e "$cert" ] && [ -e "$key" ]; then
    say "kept $cert"
    return 0
  fi
  mkdir -p "$(dirname "$cert")"
  (
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -sha256 \
      -keyout "$key" -out "$cert" -CA "$dir/ca.crt" -CAkey "$dir/ca/ca.key" -days "$days" \
      -subj "/O=mapek/OU=${trust_domain:-mapek.local}/CN=$common_name" \
      -addext 'basicConstraints=critical,CA:FALSE' -addext 'keyUsage=critical,digitalSignature' \
      -addext "extendedKeyUsage=$usage" -addext "subjectAltName=$names" 2>/dev/null
  )
  chmod 0644 "$cert"
  say "created $cert"
}

issue nats/route nats-route 'serverAuth,clientAuth' 'DNS:nats-1,DNS:nats-2,DNS:nats-3'
issue postgres/server postgres serverAuth 'DNS:postgres,DNS:localhost,IP:127.0.0.1'

# Grafana's admin password (the `observability` profile); Grafana refuses to start without it.
if [ ! -e "$dir/grafana/admin-password" ]; then
  mkdir -p "$dir/grafana"
  (umask 077 && openssl rand -base64 24 >"$dir/grafana/admin-password")
  say "created $dir/grafana/admin-password (Grafana's admin password)"
fi

if [ ! -e "$dir/api-keys.json" ]; then
  token="$("${pki[@]}" api-key create --out "$dir" --name admin --role admin 2>/dev/null)"
  (umask 077 && printf '%s\n' "$token" >"$dir/admin.api-key")
  say "created an admin API key for the gateway; its token (also in $dir/admin.api-key):"
  echo "$token"
fi
say "ready: set MAPEK_CERTS_DIR=$dir in .env (or the environment), then docker-compose up -d"
