#!/usr/bin/env bash
# Benchmarks (figures and ratios against baselines measured in the same run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh test
exec node --import tsx bench/run.ts "$@"
