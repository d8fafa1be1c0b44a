import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pg from 'pg';
import { faultDefaults, gatewayConfigSchema } from '../../payment-gateway/config.js';
import { createFaults } from '../../payment-gateway/faults.js';
import { createGatewayApp } from '../../payment-gateway/gateway.app.js';
import { createPgGatewayStore } from '../../payment-gateway/pg-gateway.store.js';

export interface TestGateway {
  url: string;
  close(): Promise<void>;
}

/**
 * The payment gateway service (payment-gateway/) for one test run: served from this process on a
 * free port, its ledger in the `payment_gateway` schema of `databaseUrl`, with the service's
 * default faults (none but the declined and fault test cards), whatever the environment sets.
 */
export async function startTestGateway(databaseUrl: string): Promise<TestGateway> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  pool.on('error', () => {}); // an idle client dropped: the pool replaces it
  const store = createPgGatewayStore(pool);
  try {
    await store.ensureSchema();
  } catch (error) {
    await pool.end();
    throw error;
  }
  const faults = createFaults(faultDefaults(gatewayConfigSchema.parse({})));
  const app = createGatewayApp({ store, faults });

  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}
