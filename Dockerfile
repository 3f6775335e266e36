# the server built to JavaScript: smaller and quicker to start than compiling TypeScript as it loads
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY src ./src
COPY sql ./sql
COPY policies ./policies
COPY bin ./bin
COPY tsconfig.json ./
ENV HOST=0.0.0.0 HTTP_PORT=8080 WHOIS_PORT=4343 DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
VOLUME /data
EXPOSE 8080 4343
USER node
CMD ["node", "--max-semi-space-size=16", "dist/main.js"]
