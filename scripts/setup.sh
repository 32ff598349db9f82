#!/usr/bin/env bash
# Installs and verifies everything Berth needs, pinned and idempotent: each step checks first
# and is skipped when the pinned version is already there. Built binaries live in a cache
# outside the clone (BERTH_TOOLS_DIR, default ~/.cache/berth) so fresh clones and CI reuse them.
#
#   scripts/setup.sh dev    what `berth dev` needs (Docker, Temporal CLI, Traefik, images)
#   scripts/setup.sh test   the above plus PostgreSQL, a local registry, compose, Chromium
set -euo pipefail

PURPOSE=${1:-dev}
TEMPORAL_VERSION=1.5.1
TRAEFIK_VERSION=3.6.12
# Pebble, Let's Encrypt's test ACME server, and its challenge test server (the HTTPS tests).
# Keep in step with test/support/pebble.ts.
PEBBLE_VERSION=2.10.3
# Keep in step with test/support/schemathesis.ts.
SCHEMATHESIS_VERSION=4.32.5
# Gitea, the self-hosted git forge the Gitea/Forgejo provider is tested against (tests only).
# Keep in step with test/support/gitea.ts. (v1.27 needs modules the Go proxy does not serve.)
GITEA_VERSION=1.26.0
# Temporal's own server, on PostgreSQL: the production engine the real-server tests and the
# fault bench run on (tests only; the dev server stays the default). Keep in step with
# test/support/temporal-server.ts.
TEMPORAL_SERVER_VERSION=1.29.1
TOOLS=${BERTH_TOOLS_DIR:-$HOME/.cache/berth}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DOCKER=/usr/bin/docker # Debian's client: the newer one first on PATH has no buildx

step() { printf 'setup: %s\n' "$*" >&2; }
fail() { printf 'setup: FAILED: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else fail "need root for: $*"; fi; }

mkdir -p "$TOOLS"

# --- Node -----------------------------------------------------------------------------------
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || fail "Node >= 20.19 is required (found $(node --version))"

# --- Debian packages ------------------------------------------------------------------------
# nginx serves static sites (nginx-light has gzip_static; the brotli module serves .br files).
packages=(docker.io busybox-static openssl git ca-certificates iptables nginx-light libnginx-mod-http-brotli-static)
if [ "$PURPOSE" = test ]; then
  # wrk: the HTTP load generator of the static-site throughput benchmark.
  # prometheus: the real scraper of the metrics test (Debian 12's, 2.42); its packaged service
  # is not used, the test runs its own on a free loopback port.
  packages+=(postgresql docker-registry docker-compose chromium wrk prometheus)
fi
missing=()
for p in "${packages[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == *'install ok installed'* ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || fail "apt-get update"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]}"
fi
# Debian's docker-registry package starts a service where systemd runs; Berth's tests start
# their own registry on a free port, so a stray default one is harmless and left alone.
# Debian's nginx package may likewise start its default site on port 80 where services start
# on install: Berth runs its own nginx (src/services/static-server.ts), so stop that one once.
if [[ " ${missing[*]:-} " == *" nginx-light "* ]] && [ -s /run/nginx.pid ]; then
  as_root sh -c 'kill "$(cat /run/nginx.pid)"' 2>/dev/null || true
fi

# --- Docker engine --------------------------------------------------------------------------
if [ -z "${DOCKER_HOST:-}" ] && ! $DOCKER info >/dev/null 2>&1; then
  step "starting dockerd (log: $TOOLS/dockerd.log)"
  as_root sh -c "setsid nohup /usr/sbin/dockerd >>'$TOOLS/dockerd.log' 2>&1 &"
  for _ in $(seq 1 60); do $DOCKER info >/dev/null 2>&1 && break; sleep 0.5; done
  $DOCKER info >/dev/null 2>&1 || fail "dockerd did not answer within 30 s (see $TOOLS/dockerd.log)"
fi

# --- Go-built tools -------------------------------------------------------------------------
need_go() { command -v go >/dev/null || fail "Go is required to build $1 (not found on PATH)"; }
# One setup at a time checks and builds them (CI, tests and `npm start` may start together).
exec 9>"$TOOLS/.setup.lock"
flock 9

TEMPORAL_BIN="$TOOLS/temporal-$TEMPORAL_VERSION/temporal"
# `go install` embeds no version string; the module version is in the binary's build info.
# Outputs are read whole before matching: `cmd | grep -q` under pipefail fails whenever grep
# stops reading early and cmd gets SIGPIPE, which would rebuild a tool that is present.
temporal_info=$(go version -m "$TEMPORAL_BIN" 2>/dev/null || true)
if ! grep -qE "mod\s+github.com/temporalio/cli\s+v$TEMPORAL_VERSION\b" <<<"$temporal_info"; then
  need_go temporal
  step "building temporal CLI v$TEMPORAL_VERSION (a few minutes the first time)"
  GOBIN="$TOOLS/temporal-$TEMPORAL_VERSION" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_VERSION" \
    || fail "go install temporal CLI v$TEMPORAL_VERSION"
fi

TRAEFIK_BIN="$TOOLS/traefik-$TRAEFIK_VERSION/traefik"
traefik_info=$("$TRAEFIK_BIN" version 2>/dev/null || true)
if ! grep -q "Version:\s*$TRAEFIK_VERSION\b" <<<"$traefik_info"; then
  need_go traefik
  step "building Traefik v$TRAEFIK_VERSION (several minutes the first time)"
  # Its go.mod has replace directives, so `go install` refuses it: build a copy of the module.
  moddir=$(go mod download -json "github.com/traefik/traefik/v3@v$TRAEFIK_VERSION" \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))') \
    || fail "go mod download traefik v$TRAEFIK_VERSION"
  src="$TOOLS/src/traefik-$TRAEFIK_VERSION"
  rm -rf "$src" && mkdir -p "$TOOLS/src" && cp -r "$moddir" "$src" && chmod -R u+w "$src"
  mkdir -p "$(dirname "$TRAEFIK_BIN")"
  (cd "$src" && go build -ldflags "-X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION" \
    -o "$TRAEFIK_BIN.partial" ./cmd/traefik) || fail "go build traefik v$TRAEFIK_VERSION"
  mv "$TRAEFIK_BIN.partial" "$TRAEFIK_BIN"
  rm -rf "$src"
fi

# Pebble: tests only. Both commands come from one module, so they are installed together and
# the pair counts as present only when both binaries carry the pinned module version.
if [ "$PURPOSE" = test ]; then
  PEBBLE_DIR="$TOOLS/pebble-$PEBBLE_VERSION"
  pebble_info=$(go version -m "$PEBBLE_DIR/pebble" "$PEBBLE_DIR/pebble-challtestsrv" 2>/dev/null || true)
  if [ "$(grep -cE "mod\s+github.com/letsencrypt/pebble/v2\s+v$PEBBLE_VERSION\b" <<<"$pebble_info")" != 2 ]; then
    need_go pebble
    step "building Pebble v$PEBBLE_VERSION and pebble-challtestsrv"
    GOBIN="$PEBBLE_DIR" go install "github.com/letsencrypt/pebble/v2/cmd/pebble@v$PEBBLE_VERSION" \
      "github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@v$PEBBLE_VERSION" \
      || fail "go install pebble v$PEBBLE_VERSION"
  fi
  # Pebble's own HTTPS certificate and the CA that signed it ship in the module, not the binary.
  if [ ! -s "$PEBBLE_DIR/certs/pebble.minica.pem" ]; then
    moddir=$(go mod download -json "github.com/letsencrypt/pebble/v2@v$PEBBLE_VERSION" \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))') \
      || fail "go mod download pebble v$PEBBLE_VERSION"
    mkdir -p "$PEBBLE_DIR/certs.partial"
    cp "$moddir/test/certs/pebble.minica.pem" "$moddir/test/certs/localhost/cert.pem" "$moddir/test/certs/localhost/key.pem" "$PEBBLE_DIR/certs.partial/"
    chmod -R u+w "$PEBBLE_DIR/certs.partial" && rm -rf "$PEBBLE_DIR/certs" && mv "$PEBBLE_DIR/certs.partial" "$PEBBLE_DIR/certs"
  fi
fi

exec 9>&-

# Gitea: tests only. Its go.mod has replace directives (like Traefik's), so a copy of the
# module is built; the copy stays as the binary's STATIC_ROOT_PATH, where it reads its locales
# and templates (options/ and templates/ ship in the module, not embedded without bindata).
# It has a lock of its own so its long first build does not hold up the other tools' checks.
if [ "$PURPOSE" = test ]; then
  exec 8>"$TOOLS/.setup-gitea.lock"
  flock 8
  GITEA_DIR="$TOOLS/gitea-$GITEA_VERSION"
  gitea_info=$("$GITEA_DIR/gitea" --version 2>/dev/null || true)
  if ! grep -q "version $GITEA_VERSION\b" <<<"$gitea_info" || [ ! -d "$GITEA_DIR/root/options/locale" ]; then
    need_go gitea
    step "building Gitea v$GITEA_VERSION (several minutes the first time)"
    moddir=$(go mod download -json "code.gitea.io/gitea@v$GITEA_VERSION" \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))') \
      || fail "go mod download gitea v$GITEA_VERSION"
    rm -rf "$GITEA_DIR" && mkdir -p "$GITEA_DIR" && cp -r "$moddir" "$GITEA_DIR/root" && chmod -R u+w "$GITEA_DIR/root"
    (cd "$GITEA_DIR/root" && go build -tags 'sqlite sqlite_unlock_notify' \
      -ldflags "-X main.Version=$GITEA_VERSION" -o "$GITEA_DIR/gitea.partial" .) \
      || fail "go build gitea v$GITEA_VERSION"
    mv "$GITEA_DIR/gitea.partial" "$GITEA_DIR/gitea"
  fi
  exec 8>&-
fi

# Temporal's server and its SQL schema tool, built from the Go module proxy, with the module's
# PostgreSQL schema beside them (the tool applies its versioned directories). Its own lock too.
if [ "$PURPOSE" = test ]; then
  exec 8>"$TOOLS/.setup-temporal-server.lock"
  flock 8
  TS_DIR="$TOOLS/temporal-server-$TEMPORAL_SERVER_VERSION"
  ts_info=$(go version -m "$TS_DIR/temporal-server" 2>/dev/null || true)
  if ! grep -qE "mod\s+go.temporal.io/server\s+v$TEMPORAL_SERVER_VERSION\b" <<<"$ts_info" \
    || [ ! -x "$TS_DIR/temporal-sql-tool" ] || [ ! -d "$TS_DIR/schema/postgresql/v12/temporal/versioned" ]; then
    need_go temporal-server
    step "building Temporal server v$TEMPORAL_SERVER_VERSION (several minutes the first time)"
    moddir=$(go mod download -json "go.temporal.io/server@v$TEMPORAL_SERVER_VERSION" \
      | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Dir))') \
      || fail "go mod download temporal server v$TEMPORAL_SERVER_VERSION"
    rm -rf "$TS_DIR.partial" && mkdir -p "$TS_DIR.partial/schema"
    GOBIN="$TS_DIR.partial" go install "go.temporal.io/server/cmd/server@v$TEMPORAL_SERVER_VERSION" \
      "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_SERVER_VERSION" \
      || fail "go install temporal server v$TEMPORAL_SERVER_VERSION"
    mv "$TS_DIR.partial/server" "$TS_DIR.partial/temporal-server" && mv "$TS_DIR.partial/sql" "$TS_DIR.partial/temporal-sql-tool"
    cp -r "$moddir/schema/postgresql" "$TS_DIR.partial/schema/" && chmod -R u+w "$TS_DIR.partial"
    rm -rf "$TS_DIR" && mv "$TS_DIR.partial" "$TS_DIR"
  fi
  exec 8>&-
fi

# --- Schemathesis (API fuzzing from the OpenAPI document; tests only) --------------------------
if [ "$PURPOSE" = test ]; then
  ST_DIR="$TOOLS/schemathesis-$SCHEMATHESIS_VERSION"
  if [ ! -f "$ST_DIR/.installed" ]; then
    step "installing Schemathesis $SCHEMATHESIS_VERSION from PyPI"
    rm -rf "$ST_DIR"
    python3 -m venv "$ST_DIR" || fail "python3 -m venv (Debian: python3-venv)"
    "$ST_DIR/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" || fail "pip install schemathesis==$SCHEMATHESIS_VERSION"
    touch "$ST_DIR/.installed"
  fi
fi

# --- Default TLS certificate for Traefik -----------------------------------------------------
# Without one Traefik generates an RSA-2048 key on every configuration change (~150 ms of CPU).
TLS_DIR="$TOOLS/tls"
if [ ! -s "$TLS_DIR/default.crt" ] || [ ! -s "$TLS_DIR/default.key" ]; then
  step "making a P-256 self-signed default certificate"
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=berth.localhost" -keyout "$TLS_DIR/default.key" -out "$TLS_DIR/default.crt" >/dev/null 2>&1 \
    || fail "openssl could not make the default certificate"
fi

# --- npm dependencies -----------------------------------------------------------------------
if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  step "installing npm dependencies"
  # `npm ci` first. The registry this machine reaches serves only some platforms' builds of
  # @swc/core, so the lock file lacks the others and npm 11's `ci` refuses it; `npm install`
  # then installs exactly the locked versions.
  (cd "$ROOT" && { npm ci --no-audit --no-fund >/dev/null 2>&1 || npm install --no-audit --no-fund >/dev/null; }) \
    || fail "npm install"
fi

# --- Local images (no registry is reachable) -------------------------------------------------
bash "$ROOT/scripts/build-images.sh" || fail "building the local base and example images"

step "ready (temporal $TEMPORAL_VERSION, traefik $TRAEFIK_VERSION${PEBBLE_DIR:+, pebble $PEBBLE_VERSION}, $($DOCKER version -f 'docker {{.Server.Version}}'))"
