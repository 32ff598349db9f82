#!/usr/bin/env bash
# Fetches the Compose specification's JSON schema as `docker compose` uses it (compose-go's
# schema/compose-spec.json) from the Go module proxy at the version pinned in
# src/compose/compose-schema.ts, checks the module zip against the digest recorded in
# src/compose/schema/SHA256SUMS and writes src/compose/schema/compose-spec.json. To move to a
# newer version: change the version there, record the new zip's digest, run this, run the tests.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE=github.com/compose-spec/compose-go/v2
VERSION=$(grep -o "version: 'v[0-9.]*'" "$ROOT/src/compose/compose-schema.ts" | grep -o 'v[0-9][0-9.]*')
PROXY=${GOPROXY:-https://proxy.golang.org}
PROXY=${PROXY%%,*}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
curl -fsSL -o "$work/module.zip" "$PROXY/$MODULE/@v/$VERSION.zip"
# The zip's SHA-256 as fetched on the day the copy was made (the proxy serves immutable zips).
expected=$(grep "^$VERSION " "$ROOT/src/compose/schema/SHA256SUMS" | cut -d' ' -f2)
actual=$(sha256sum "$work/module.zip" | cut -d' ' -f1)
if [ "$expected" != "$actual" ]; then
  echo "compose-go $VERSION: zip digest $actual, expected ${expected:-(none recorded in src/compose/schema/SHA256SUMS)}" >&2
  exit 1
fi
unzip -q -o "$work/module.zip" "$MODULE@$VERSION/schema/compose-spec.json" -d "$work"
cp "$work/$MODULE@$VERSION/schema/compose-spec.json" "$ROOT/src/compose/schema/compose-spec.json"
echo "src/compose/schema/compose-spec.json: $MODULE $VERSION"
