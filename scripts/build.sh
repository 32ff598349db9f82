#!/usr/bin/env bash
# Builds what a production start runs: the TypeScript compiled to dist/ (tsc), the migrations and
# the compose schema beside it, the prebuilt workflow bundle (dist/workflow-bundle.js) the
# worker loads instead of running webpack at every start, and the web UI's bundle
# (dist/ui-bundle/) the API serves instead of running esbuild at start.
#
#   scripts/build.sh             build (`npm run build`)
#   scripts/build.sh --if-stale  build only when a source changed since the last build (the bin
#                                does this before `berth dev`, so `npm start` runs built output)
#   scripts/build.sh --check     exit 0 when dist/ is built from the sources as they are, else 1
#
# "Changed" is by modification time against dist/.built, which is stamped with the time the
# build started: a file saved during a build makes the next check stale.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
STAMP=dist/.built
MODE=${1:-build}

fresh() {
  [ -f "$STAMP" ] && [ -f dist/src/cli.js ] && [ -f dist/workflow-bundle.js ] && [ -f dist/ui-bundle/app.js ] || return 1
  local inputs=(src workflows activities api db ui package-lock.json tsconfig.json tsconfig.build.json scripts/build.sh scripts/bundle-workflows.ts)
  local existing=()
  for i in "${inputs[@]}"; do [ -e "$i" ] && existing+=("$i"); done
  [ -z "$(find "${existing[@]}" -newer "$STAMP" -print -quit)" ]
}

case "$MODE" in
  --check) fresh; exit ;;
  --if-stale | build) ;;
  *) printf 'usage: scripts/build.sh [--if-stale|--check]\n' >&2; exit 64 ;;
esac

# One build at a time (two `npm start`s, or a test run beside one); the second finds it fresh.
mkdir -p node_modules/.cache
exec 9>node_modules/.cache/berth-build.lock
flock 9
if [ "$MODE" = --if-stale ]; then
  fresh && exit 0
  printf 'berth: building (first start, or the sources changed since the last build)…\n' >&2
fi

started=$(mktemp)
trap 'rm -f "$started"' EXIT
rm -rf dist
npx --no-install tsc -p tsconfig.build.json
node -e "fs.cpSync('db/migrations','dist/db/migrations',{recursive:true});fs.cpSync('src/compose/schema','dist/src/compose/schema',{recursive:true})"
node --import tsx scripts/bundle-workflows.ts >&2
node --input-type=module -e "await (await import('./dist/api/ui/ui-bundle.js')).writeUiBundle('dist/ui-bundle')"
# The stamp carries the time the build started (see above).
touch -r "$started" "$STAMP"
