#!/usr/bin/env bash
# Prints the Python interpreter of a virtualenv holding exactly requirements.txt, creating it first
# when missing. The virtualenv lives outside the clone, in ${MAPEK_CACHE:-~/.cache/mapek}/
# venv-subscriber-<hash>, keyed by requirements.txt and the Python version, so a change to either
# makes a new one and every clone shares it. Progress goes to stderr.
#
#   "$(examples/subscribers/python/venv.sh)" -m mapek_subscriber --help    (from examples/subscribers/python)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  echo "venv.sh: needs Python >= 3.10 as $python (set PYTHON to another interpreter)" >&2
  exit 1
fi
key="$({ cat "$here/requirements.txt"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-16)"
cache="${MAPEK_CACHE:-$HOME/.cache/mapek}"
venv="$cache/venv-subscriber-$key"
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$cache"
  staging="$(mktemp -d "$cache/.venv-subscriber-$key.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  echo "venv.sh: creating $venv" >&2
  if ! "$python" -m venv "$staging" >&2; then
    echo "venv.sh: '$python -m venv' failed; on Debian install it with: apt-get install python3-venv" >&2
    exit 1
  fi
  "$staging/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps -r "$here/requirements.txt" >&2
  "$staging/bin/python" -m pip check >&2
  # Complete before visible: a rename, so an interrupted or concurrent run never leaves a half-made one.
  # (Only `bin/python -m …` is used, which works from the new path.)
  mv -T "$staging" "$venv" 2>/dev/null || true
fi
echo "$venv/bin/python"
