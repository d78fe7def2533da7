# Image for the audit log's own processes (see docker-compose.yml): the packed package, installed the
# way a host installs it, with its peers; the bin runs `api` or `worker`.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund || npm install --no-audit --no-fund
COPY . .
RUN mkdir /tmp/package && npm pack --pack-destination /tmp/package

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /tmp/package /tmp/package
RUN echo '{ "name": "crm-audit-log-service", "private": true }' > package.json \
  && npm install --omit=dev --no-audit --no-fund /tmp/package/crm-audit-log-*.tgz mongoose@9 express@5 @trpc/server@11 \
  && rm -rf /tmp/package
# The write-ahead log's directory, owned by the user the process runs as (compose mounts a volume
# there; a fresh named volume takes this directory's owner).
ENV AUDIT_WAL_DIR=/var/lib/crm-audit-log/wal
RUN mkdir -p /var/lib/crm-audit-log/wal && chown -R node:node /var/lib/crm-audit-log
USER node
EXPOSE 3000
ENTRYPOINT ["node", "node_modules/crm-audit-log/dist/workers/cli.js"]
CMD ["api"]
