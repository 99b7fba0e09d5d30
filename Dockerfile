# mapek images: one target per service, the demo app, the provisioning tools and the
# infrastructure the compose stack runs (a NATS node, PostgreSQL, Prometheus).
#
#   docker build --target monitor -t mapek/monitor .        (or: docker-compose build)
#
# Targets: monitor, analyzer, planner, executor, knowledge, gateway, demo-app, provision, nats,
# postgres, prometheus. Works with the classic builder (docker 20.10, docker-compose 1.29).
#
# Every base image is a build argument. The defaults are the official images users pull; the tests
# build from images the scripts make locally (scripts/docker-engine.sh: a debootstrapped Debian
# bookworm with the pinned Node added, Debian's postgresql and prometheus packages, the pinned
# nats-server binary), because no registry can be reached there.
#
# The build stage needs the npm registry (`pnpm install`); with `--network host` where containers
# have no NAT of their own (docker-compose.yml sets it).

# Node at the version pinned in scripts/versions.env (NODE_VERSION); the build checks it.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim
# A plain Debian 12 for the NATS node.
ARG DEBIAN_IMAGE=debian:bookworm-slim
# Any image with the nats-server binary at /nats-server (the official image has the static build).
ARG NATS_SERVER_IMAGE=nats:2.14.10
# Any Debian-based image with PostgreSQL's server under /usr/lib/postgresql/<major>/bin.
ARG POSTGRES_IMAGE=postgres:15-bookworm
# Any image with prometheus and promtool on PATH (Debian's package or the official image).
ARG PROMETHEUS_IMAGE=prom/prometheus:v2.42.0

# The infrastructure targets come first: the classic builder builds every stage above the target
# it is asked for, and these need nothing of the Node build.
# ---------------------------------------------------------------------------------------------
# One node of the NATS cluster: the pinned nats-server, JetStream, mTLS for clients, TLS routes.
FROM ${NATS_SERVER_IMAGE} AS nats-server-binary
FROM ${DEBIAN_IMAGE} AS nats
COPY --from=nats-server-binary /nats-server /usr/local/bin/nats-server
RUN groupadd --system --gid 10001 nats \
 && useradd --system --uid 10001 --gid nats --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin nats \
 && mkdir -p /data /etc/nats \
 && chown 10001:10001 /data
COPY docker/nats/nats-server.conf /etc/nats/nats-server.conf
COPY docker/http-probe.sh /usr/local/bin/http-probe
USER 10001:10001
EXPOSE 4222 6222 8222
# Healthy once JetStream is up and current on this node (nats-server's own /healthz).
HEALTHCHECK --interval=5s --timeout=4s --start-period=30s --retries=3 CMD ["http-probe", "8222", "/healthz"]
ENTRYPOINT ["nats-server"]
CMD ["--config", "/etc/nats/nats-server.conf"]

# ---------------------------------------------------------------------------------------------
# PostgreSQL for knowledge: TLS only, the client certificate's CN is the role (`cert` auth).
FROM ${POSTGRES_IMAGE} AS postgres
ARG POSTGRESQL_MAJOR=15
ENV PATH=/usr/lib/postgresql/${POSTGRESQL_MAJOR}/bin:$PATH PGDATA=/var/lib/postgresql/data
COPY docker/postgres/entrypoint.sh /usr/local/bin/mapek-postgres
RUN mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 0700 "$PGDATA"
EXPOSE 5432
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 CMD ["pg_isready", "--host=/var/run/postgresql", "--username=postgres"]
ENTRYPOINT ["/usr/local/bin/mapek-postgres"]

# ---------------------------------------------------------------------------------------------
# Prometheus scraping every service (docker/prometheus/prometheus.yml).
FROM ${PROMETHEUS_IMAGE} AS prometheus
COPY docker/prometheus/prometheus.yml /etc/mapek/prometheus/prometheus.yml
COPY docker/http-probe.sh /usr/local/bin/http-probe
USER 65534:65534
EXPOSE 9090
HEALTHCHECK --interval=10s --timeout=4s --start-period=20s --retries=3 CMD ["http-probe", "9090", "/-/ready"]
ENTRYPOINT ["prometheus"]
CMD ["--config.file=/etc/mapek/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.listen-address=:9090"]

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS node-base
ARG NODE_VERSION=24.22.3
RUN actual="$(node --version)" \
 && if [ "$actual" != "v${NODE_VERSION}" ]; then echo "the base image has Node $actual, not the pinned v${NODE_VERSION} (scripts/versions.env)" >&2; exit 1; fi \
 && groupadd --system --gid 10001 mapek \
 && useradd --system --uid 10001 --gid mapek --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin mapek

# ---------------------------------------------------------------------------------------------
# Only the package manifests and the patches of dependencies (with fixed times), so that `pnpm
# install` below is cached until one of them changes.
FROM node-base AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package.json pnpm-lock.yaml pnpm-workspace.yaml /manifests/ \
 && cp -r patches /manifests/ \
 && find . -mindepth 2 -name package.json -not -path '*/node_modules/*' -exec cp --parents '{}' /manifests/ ';' \
 && find /manifests -exec touch --no-dereference --date=@0 '{}' +

# ---------------------------------------------------------------------------------------------
# Compiles the workspace once; then each image gets its own tree with production dependencies only
# (`pnpm install --prod` per app from the lockfile, docker/install-production.sh).
FROM node-base AS build
ARG PNPM_VERSION=10.34.9
# CA certificates of a TLS-intercepting proxy between the build and npm, if any (docker/build-ca).
COPY docker/build-ca/ /usr/local/share/mapek-build-ca/
RUN cat /usr/local/share/mapek-build-ca/*.crt >/usr/local/share/mapek-build-ca/bundle.pem 2>/dev/null || true
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/mapek-build-ca/bundle.pem
COPY docker/install-pnpm.mjs /tmp/install-pnpm.mjs
RUN node /tmp/install-pnpm.mjs "${PNPM_VERSION}" /opt/pnpm && ln -s /opt/pnpm/bin/pnpm /usr/local/bin/pnpm
WORKDIR /src
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true
COPY --from=manifests /manifests/ ./
RUN pnpm install --frozen-lockfile --ignore-scripts --reporter=append-only
COPY . .
RUN pnpm exec tsc -b services/monitor services/analyzer services/planner services/executor services/knowledge services/gateway examples/demo-app tools/stack tools/bundle \
 && node tools/bundle/dist/cli.js
COPY --from=manifests /manifests/ /manifests/
RUN docker/install-production.sh /src /manifests /out \
      monitor:services/monitor analyzer:services/analyzer planner:services/planner executor:services/executor \
      knowledge:services/knowledge gateway:services/gateway demo-app:examples/demo-app provision:tools/stack

# ---------------------------------------------------------------------------------------------
# What every service image shares: Node, the health probe, a non-root user. The compose file runs
# them with a read-only root filesystem (a tmpfs on /tmp).
FROM node-base AS runtime
ENV NODE_ENV=production MAPEK_HTTP_HOST=0.0.0.0
COPY docker/healthcheck.mjs /usr/local/lib/mapek/healthcheck.mjs
WORKDIR /app
USER 10001:10001

# The six loop services run their bundle (tools/bundle, ADR 0021) with the V8 flags of ADR 0013 and
# the allocator settings of ADR 0016,
# as `./mapek start` runs them (tools/stack LOOP_NODE_ARGS_BY_SERVICE and LOOP_ALLOCATOR_ENV; a spec
# there checks that these lines say the same): every compiler on, the young generation capped at
# 1 MB semi-spaces, two malloc arenas with fixed mmap and trim thresholds. The monitor and the
# analyzer add their own flags on their command line (NODE_OPTIONS refuses --heap-growing-percent,
# and the command line wins over it). Compose and the chart take it from here.
FROM runtime AS loop-service
ENV NODE_OPTIONS="--max-semi-space-size=1" MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=1048576

FROM loop-service AS monitor
COPY --from=build /out/monitor /app
WORKDIR /app/services/monitor
ENV MAPEK_HTTP_PORT=9101
EXPOSE 9101
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/usr/local/lib/mapek/healthcheck.mjs", "/health/live"]
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "dist/main.bundle.mjs"]

FROM loop-service AS analyzer
COPY --from=build /out/analyzer /app
WORKDIR /app/services/analyzer
ENV MAPEK_HTTP_PORT=9102
EXPOSE 9102
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/usr/local/lib/mapek/healthcheck.mjs", "/health/live"]
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=50", "dist/main.bundle.mjs"]

FROM loop-service AS planner
COPY --from=build /out/planner /app
WORKDIR /app/services/planner
ENV MAPEK_HTTP_PORT=9103
EXPOSE 9103
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/usr/local/lib/mapek/healthcheck.mjs", "/health/live"]
CMD ["node", "dist/main.bundle.mjs"]

FROM loop-service AS executor
COPY --from=build /out/executor /app
WORKDIR /app/services/executor
ENV MAPEK_HTTP_PORT=9104
EXPOSE 9104
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/usr/local/lib/mapek/healthcheck.mjs", "/health/live"]
CMD ["node", "dist/main.bundle.mjs"]

FROM loop-service AS knowledge
COPY --from=build /out/knowledge /app
WORKDIR /app/services/knowledge
ENV MAPEK_HTTP_PORT=9105
EXPOSE 9105
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/usr/local/lib/mapek/healthcheck.mjs", "/health/live"]
CMD ["node", "dist/main.bundle.mjs"]

# HTTPS with an identity (always in production), HTTP without one.
FROM loop-service AS gateway
COPY --from=build /out/gateway /app
WORKDIR /app/services/gateway
ENV MAPEK_HTTP_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "/usr/local/lib/mapek/healthcheck.mjs", "/health/live", "https", "http"]
CMD ["node", "dist/main.bundle.mjs"]

# The service mapek heals in the demo (examples/demo-app), with the agent embedded.
FROM runtime AS demo-app
COPY --from=build /out/demo-app /app
WORKDIR /app/examples/demo-app
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/usr/local/lib/mapek/healthcheck.mjs", "/health"]
CMD ["node", "--expose-gc", "dist/main.js"]

# `mapek provision` (streams and KV buckets, as the `cli` identity) and the credentials check that
# runs before anything else in the compose stack (docker/credentials.mjs).
FROM runtime AS provision
COPY --from=build /out/provision /app
WORKDIR /app/tools/stack
COPY docker/credentials.mjs /usr/local/lib/mapek/credentials.mjs
CMD ["node", "dist/provision-cli.js"]

