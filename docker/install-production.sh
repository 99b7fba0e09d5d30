#!/bin/bash
# The build stage's last step: one directory per image under /out with what that app runs and
# nothing else: its compiled dist, the dist of the workspace libraries it depends on, and their
# production dependencies, installed by `pnpm install --prod` from the lockfile (exact versions,
# offline: the store was filled by the full install before the compile).
#
#   install-production.sh <src> <manifests> <out> <name>:<package dir> ...
#
# Each /out/<name> keeps the workspace layout (node_modules/.pnpm at the root, <package
# dir>/node_modules linking into it), so `node <package dir>/dist/main.js` resolves the same
# modules as in the clone.
set -euo pipefail
src="$1" manifests="$2" out="$3"
shift 3

for app in "$@"; do
  name="${app%%:*}"
  dir="${app#*:}"
  target="$out/$name"
  # The workspace packages this app needs, itself included (paths relative to the workspace root).
  mapfile -t closure < <(cd "$src" && pnpm --filter-prod "{./$dir}..." exec pwd | sed "s#^$src/##" | sort -u)
  mkdir -p "$target"
  cp -a "$manifests/." "$target/"
  for package in "${closure[@]}"; do
    [ ! -d "$src/$package/dist" ] || cp -a "$src/$package/dist" "$target/$package/dist"
  done
  (cd "$target" && pnpm install --prod --frozen-lockfile --offline --ignore-scripts --filter-prod "{./$dir}..." --reporter=silent)
  # Manifests of packages outside the closure were only there for the lockfile's sake.
  while read -r manifest; do
    package="$(dirname "${manifest#./}")"
    printf '%s\n' "${closure[@]}" | grep -qx "$package" || rm -rf "${target:?}/$package"
  done < <(cd "$target" && find . -mindepth 2 -name package.json -not -path '*/node_modules/*')
  # Compiled tests, type declarations and build metadata are not run.
  find "$target" -path "$target/node_modules" -prune -o \( -name '*.spec.js' -o -name '*.spec.js.map' -o -name '*.int-spec.js' -o -name '*.int-spec.js.map' \
    -o -name '*.fixture.js' -o -name '*.fixture.js.map' -o -name '*.d.ts' -o -name '*.d.ts.map' -o -name '.tsbuildinfo' \) -type f -print0 | xargs -0 rm -f
  rm -rf "$target/pnpm-lock.yaml" "$target/pnpm-workspace.yaml" "$target/patches"
  find "$target" -mindepth 1 -maxdepth 3 -type d -empty -delete
  echo "install-production: $name ($dir and ${#closure[@]} workspace packages): $(du -sh "$target" | cut -f1)"
done
