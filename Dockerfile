# Berth's image: one image, the command picks the process (api, worker, migrate, static-server).
#   docker build -t berth .
#   docker run --rm berth            prints usage (exit 64)
# docker-compose.yml runs it; health checks live there, because api and worker differ.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: compile TypeScript, copy migrations, bundle the workflows ------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY workflows workflows
COPY activities activities
COPY api api
COPY db db
COPY ui ui
COPY scripts/build.sh scripts/bundle-workflows.ts scripts/
RUN npm run build

# --- deps: production dependencies only ------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE}
# The bin's memory settings (scripts/berth; docs/benchmarks.md, "Idle memory"): glibc's malloc
# gives freed blocks above 128 KiB back, and (ENTRYPOINT) a 2 MB young generation per isolate.
ENV NODE_ENV=production \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_TRIM_THRESHOLD_=131072 \
    BERTH_WORKFLOW_BUNDLE=/app/dist/workflow-bundle.js \
    BERTH_DATA_DIR=/var/lib/berth \
    BERTH_TRAEFIK_ROUTES_DIR=/var/lib/berth/routes \
    BERTH_LOG_FORMAT=json
# A fixed uid/gid, so files the worker writes into shared volumes have a known owner. The
# routes directory exists in the image so a fresh named volume mounted there inherits its owner.
# nginx serves static sites (`berth static-server`); brotli_static serves precompressed files.
# git and Debian's Docker client (BuildKit with --secret) build apps from source in the worker;
# the daemon in that package is never started here: the host's socket is mounted instead.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light libnginx-mod-http-brotli-static git docker.io ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 berth \
 && useradd --system --uid 10001 --gid berth --home-dir /var/lib/berth --shell /usr/sbin/nologin berth \
 && mkdir -p /var/lib/berth/routes /var/lib/berth/static \
 && chown -R berth:berth /var/lib/berth
WORKDIR /app
# package.json carries "type": "module", which dist/ needs to load as ES modules.
COPY package.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
USER berth
ENTRYPOINT ["node", "--max-semi-space-size=2", "dist/src/cli.js"]
