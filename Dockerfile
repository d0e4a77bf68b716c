# syntax=docker/dockerfile:1
# The Node services' image, and the gateway's. Targets:
#   service  one image for command-api, query-api, projectors and realtime; the SERVICE variable
#            (build argument, or environment at run time) picks which one runs
#   gateway  nginx with the registry watcher that renders its upstreams (infra/nginx)
# Node 20 on Debian 12 (bookworm): uWebSockets.js has native binaries up to Node 20 and needs
# glibc 2.36 or older (see /work/shared/DEPENDENCIES.md).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# better-sqlite3 and argon2 compile from source when their prebuilt binary cannot be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The manifests first: `npm ci` is redone only when they change.
COPY package.json package-lock.json ./
COPY domain/package.json domain/
COPY platform/package.json platform/
COPY command-api/package.json command-api/
COPY query-api/package.json query-api/
COPY projectors/package.json projectors/
COPY realtime/package.json realtime/
COPY embedded/package.json embedded/
COPY bench/package.json bench/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY . .
# `npm run build`: the services (tsc -b) and the web client (web/dist, for the gateway).
RUN npm run build --silent \
 && npm prune --omit=dev --no-audit --no-fund \
 && find . -path ./node_modules -prune -o \( -name '*.spec.js' -o -name '*.spec.d.ts' -o -name '*.spec.js.map' -o -name '*.tsbuildinfo' \) -type f -print | xargs rm -f \
 && rm -rf ./*/src

FROM ${NODE_IMAGE} AS service
ENV NODE_ENV=production
WORKDIR /app
# The workspaces keep their places: node_modules/@chat/* are links to them.
COPY --from=build /app /app
ARG SERVICE=query-api
ENV SERVICE=${SERVICE} PORT=8080 HOST=0.0.0.0
USER node
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec: node receives SIGTERM itself and stops in order (deregisters, drains, closes its stores).
CMD ["sh", "-c", "exec node \"$SERVICE/dist/main.js\""]

FROM ${NODE_IMAGE} AS gateway
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx \
 && rm -rf /var/lib/apt/lists/* \
 && chown -R node:node /var/log/nginx /var/lib/nginx
WORKDIR /app
# The renderer uses Node's built-ins only: the compiled registry module is all it needs.
COPY --from=build /app/platform/dist/registry platform/dist/registry
COPY infra/render-template.sh infra/
COPY infra/nginx infra/nginx
COPY --from=build /app/web/dist /srv/web
ENV GATEWAY_LISTEN=8080 WEB_ROOT=/srv/web
USER node
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.GATEWAY_LISTEN + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/app/infra/nginx/docker-entrypoint.sh"]
