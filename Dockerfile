# Polku image: compiled JavaScript, production dependencies only, running as the unprivileged node user.

# 1. Compile TypeScript with the full (dev) toolchain.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# 2. Production dependencies only, installed from the same lock file, with patches/ applied
#    (patch-package is a dev tool, so it runs before the dev dependencies are pruned).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --ignore-scripts && npx patch-package && npm prune --omit=dev && npm cache clean --force

# 3. The runtime: package.json (ESM "type"), node_modules, dist/ and the SQL migrations.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    POLKU_DATA_DIR=/app/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# dist/db/migrate.js reads ../../migrations, i.e. /app/migrations.
COPY migrations ./migrations
COPY package.json ./
# Only the embedded database folder is writable, and only by the node user.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# The slim image has no curl: node's own fetch asks the readiness endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.js"]
