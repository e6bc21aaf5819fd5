# ClawChat server image: `docker compose up` (docker-compose.yml) runs it with PostgreSQL and
# Redis; alone it runs on embedded SQLite in the /data volume. See docs/SCALE-OUT.md.

# --- build: all dependencies, compile TypeScript, then drop the dev dependencies -------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 is native: a compiler, in case no prebuilt binary fits the platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY web/package.json ./web/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
COPY web ./web
# The server, then the browser app (its API types are generated from the server's schemas).
RUN npm run build \
 && npm run build:web \
 && npm prune --omit=dev --no-audit --no-fund

# --- run: compiled code and production dependencies, as the unprivileged `node` user ----------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8000
# No curl in the slim image: Node's fetch asks /api/health (200 while the server can serve).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Migrations run at start-up (every instance may start at once: they take a lock).
CMD ["node", "dist/server.js"]
