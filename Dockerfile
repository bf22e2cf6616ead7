# hyperfleet: one image for the controller (`hyperfleet server`), the agents (`hyperfleet agent`) and the runner
# inside trial pods (`hyperfleet agent exec-trial`, copied into other images by the Job's init container).
#   docker build -t ghcr.io/hyperfleet/hyperfleet:0.1.0 .
# TypeScript runs from source through tsx (a runtime dependency of the CLI): there is no compile step.

# ---- build: install every workspace, build what has a build script (the dashboard), drop dev deps ----------
FROM node:20-slim AS build
# better-sqlite3 falls back to compiling when no prebuilt binary fits the platform.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund \
  && npm run build --workspaces --if-present \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf .turbo test bench

# ---- runtime -----------------------------------------------------------------------------------------------
FROM node:20-slim
# git: pinned code (worktrees, bundles, diffs); python3: Python sweeps and the stdlib-only SDK;
# tini: PID 1 that forwards signals and reaps what trials leave behind.
RUN apt-get update \
  && apt-get install -y --no-install-recommends git python3 tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /app
RUN ln -s /app/apps/cli/bin/hyperfleet.js /usr/local/bin/hyperfleet \
  && mkdir -p /work && chown node:node /work
ENV NODE_ENV=production
# The `node` user of the base image (uid 1000), as the manifests' runAsUser.
USER 1000:1000
WORKDIR /work
EXPOSE 7070
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/apps/cli/bin/hyperfleet.js"]
CMD ["--help"]
