#!/usr/bin/env bash
# The whole test suite: installs/verifies what it needs (scripts/setup.sh test), type-checks,
# lints, then runs every test (unit, integration against real Docker, Temporal, PostgreSQL and
# Traefik, browser). Ends with the line "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

bash scripts/setup.sh test || { echo "0 passed, 1 failed"; exit 1; }

checks_failed=0
if ! npx tsc --noEmit -p tsconfig.json; then echo "typecheck: FAILED"; checks_failed=1; fi
# The web UI runs in the browser: its own project, with the DOM's types.
if ! npx tsc --noEmit -p ui/tsconfig.json; then echo "typecheck (ui): FAILED"; checks_failed=1; fi
if ! npx eslint --max-warnings 0 .; then echo "lint: FAILED"; checks_failed=1; fi
if [ "$checks_failed" != 0 ]; then echo "0 passed, 1 failed"; exit 1; fi

npx vitest run "$@"
