import { serve } from '@hono/node-server';
import pg from 'pg';
import { pino } from 'pino';
import { logDestination } from '../platform/config/logger.js';
import { faultDefaults, loadGatewayConfigOrExit } from './config.js';
import { createFaults } from './faults.js';
import { createGatewayApp } from './gateway.app.js';
import { createPgGatewayStore } from './pg-gateway.store.js';

async function main() {
  const config = loadGatewayConfigOrExit();
  const logger = pino({ name: 'payment-gateway', level: config.LOG_LEVEL }, logDestination(config));
  const pool = new pg.Pool({
    connectionString: config.PAYMENT_GATEWAY_DATABASE_URL,
    max: 10,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));

  const store = createPgGatewayStore(pool);
  try {
    await store.ensureSchema();
  } catch (error) {
    await pool.end();
    throw error;
  }
  const faults = createFaults(faultDefaults(config));
  const app = createGatewayApp({ store, faults, logger });

  const server = serve(
    { fetch: app.fetch, hostname: config.PAYMENT_GATEWAY_HOST, port: config.PAYMENT_GATEWAY_PORT },
    (info) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      logger.info(
        { faults: faults.settings() },
        `payment gateway listening on http://${host}:${info.port}`,
      );
    },
  );

  server.on('error', (error) => {
    logger.error({ err: error }, 'server failed');
    void pool.end().finally(() => process.exit(1));
  });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    server.close(() => {
      pool.end().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'closing the database pool failed');
          process.exit(1);
        },
      );
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
