import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pg from 'pg';
import type { Faults } from '../../payment-gateway/faults.js';
import { createGatewayApp } from '../../payment-gateway/gateway.app.js';
import {
  createPgGatewayStore,
  type PgGatewayStore,
} from '../../payment-gateway/pg-gateway.store.js';

/** What serves a request: the gateway app's fetch, or a probe in front of it. */
export type GatewayFetch = (request: Request, env: unknown) => Response | Promise<Response>;

export interface InProcessGateway {
  url: string;
  store: PgGatewayStore;
  close(): Promise<void>;
}

/**
 * The payment gateway service (payment-gateway/) served from this process on a free loopback port,
 * its ledger in the `payment_gateway` schema of `databaseUrl`. `wrap` may put a probe in front of
 * the app's fetch (e.g. to count or hold requests).
 */
export async function startInProcessGateway({
  databaseUrl,
  faults,
  wrap = (fetch) => fetch,
}: {
  databaseUrl: string;
  faults: Faults;
  wrap?: (fetch: GatewayFetch) => GatewayFetch;
}): Promise<InProcessGateway> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  pool.on('error', () => {}); // an idle client dropped (e.g. its database went): the pool replaces it
  const store = createPgGatewayStore(pool);
  try {
    await store.ensureSchema();
  } catch (error) {
    await pool.end();
    throw error;
  }
  const app = createGatewayApp({ store, faults });
  const appFetch: GatewayFetch = (request, env) => app.fetch(request, env as never);
  const server = serve({ fetch: wrap(appFetch), hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    async close() {
      if ('closeAllConnections' in server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}
