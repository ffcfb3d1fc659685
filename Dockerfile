# One image for all four services; the command picks which one runs:
#   docker run omninode-bridge gateway   (or hooks, workflows, model-metrics)
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
USER node
ENTRYPOINT ["node_modules/.bin/tsx", "bin/start.ts"]
