# The confirmation endpoint for Azure Container Apps (or App Service for containers, or any OCI
# runtime). Built only from package-lock.json; the image runs the compiled endpoint on plain node
# with production dependencies, as the unprivileged `node` user. See docs/azure.md.
#
#   docker build -t gateway-endpoint .
#   docker run --env-file endpoint.env -p 8080:8080 gateway-endpoint

ARG NODE_IMAGE=node:20-bookworm-slim

# Toolchain for better-sqlite3's native build (npm ci compiles it from source when no prebuilt fits).
FROM ${NODE_IMAGE} AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# Compile: every dependency (esbuild and tsx are devDependencies), then the bundles.
FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:hosting

# Production dependencies only, from the same lockfile.
FROM toolchain AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist/endpoint ./dist/endpoint
COPY package.json ./
# The default SQLite store (STORE_URL unset) writes here; use PostgreSQL for more than one replica.
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node runs as the main process, so the platform's SIGTERM reaches the endpoint, which stops
# gracefully (npm would exit at once without waiting for it). The V8 flags are the endpoint's memory
# settings (scripts/hosting/node-flags.ts, docs/ingest-profile.md "Memory").
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=50", "dist/endpoint/main.js"]
