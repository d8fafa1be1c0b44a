import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from 'pino';
import { loadConfigOrExit } from '../platform/config/load-config.js';
import { createLogger } from '../platform/config/logger.js';
import { startTracingFromConfig } from '../platform/telemetry/tracing.js';
import { buildApi } from '../workers/composition/api.js';
import { createClients } from '../workers/composition/clients.js';
import { runEntryPoint, shutdownSignal } from '../workers/composition/shutdown-signal.js';
import { apiConfigSchema, type ApiConfig } from './api.config.js';
import type { App } from './app.js';

function listen(app: App, config: ApiConfig, logger: Logger) {
  const server = createAdaptorServer({ fetch: app.fetch });
  // Node's default accept backlog (511) drops connections when a thousand clients arrive at once;
  // the kernel still caps it at net.core.somaxconn.
  server.listen({ host: config.API_HOST, port: config.API_PORT, backlog: 4_096 }, () => {
    const base = `http://${config.API_HOST}:${config.API_PORT}`;
    logger.info({ url: base, docs: `${base}/docs`, metrics: `${base}/metrics` }, 'api ready');
  });
  return server;
}

/** The HTTP API's process: the app of workers/composition, served until SIGINT/SIGTERM. */
async function main() {
  const config = loadConfigOrExit(apiConfigSchema);
  const tracing = startTracingFromConfig(config, 'durable-sagas-api');
  const logger = createLogger('api', config);
  const clients = await createClients(config, { logger, tracing });
  const api = buildApi(config, clients);
  try {
    const server = listen(api.app, config, logger);
    await shutdownSignal();
    await new Promise((closed) => server.close(closed));
  } finally {
    await api.close();
    await clients.close();
    await tracing?.shutdown();
  }
}

runEntryPoint(main);
