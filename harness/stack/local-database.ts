import pg from 'pg';
import { createPrismaClient } from '../../prisma/client.js';
import { seedDemoProducts } from '../../prisma/demo-products.js';
import { createPgGatewayStore } from '../../payment-gateway/pg-gateway.store.js';
import { databaseNameOf, recreateDatabase } from '../support/scratch-database.js';
import { isLocal, urlEndpoint } from './config.js';

export class ResetRefusedError extends Error {
  override readonly name = 'ResetRefusedError';
}

const SERVER_DATABASES = new Set(['', 'postgres', 'template0', 'template1']);

/** Why the database `databaseUrl` names must not be reset from here, if it must not. */
export function resetRefusal(databaseUrl: string, nodeEnv: string | undefined): string | undefined {
  if (nodeEnv === 'production') return 'NODE_ENV is production; it resets the local stack only';
  const { host } = urlEndpoint(databaseUrl, 5432);
  if (!isLocal({ host, port: 5432 }))
    return `DATABASE_URL points at ${host}, not this machine; it resets the local stack's database only`;
  const name = databaseNameOf(databaseUrl);
  if (SERVER_DATABASES.has(name))
    return `DATABASE_URL names ${name ? `the server's own database ${name}` : 'no database'}`;
  return undefined;
}

export interface ResetReport {
  database: string;
  migrations: string[];
  demoProducts: number;
}

/** The stack runs its payment gateway on the same database: its ledger goes with the rest. */
async function createGatewayLedger(databaseUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await createPgGatewayStore(pool).ensureSchema();
  } finally {
    await pool.end();
  }
}

/**
 * `npm run db:reset`: drops the local stack's database (ending its connections), recreates and
 * migrates it, creates the payment gateway's empty ledger in it, and seeds the demo catalogue.
 * Refuses anything but a database on this machine, and NODE_ENV=production.
 */
export async function resetLocalDatabase(
  databaseUrl: string,
  { nodeEnv }: { nodeEnv: string | undefined },
): Promise<ResetReport> {
  const refusal = resetRefusal(databaseUrl, nodeEnv);
  if (refusal) throw new ResetRefusedError(refusal);
  const migrations = await recreateDatabase(databaseUrl);
  await createGatewayLedger(databaseUrl);
  const prisma = createPrismaClient({ url: databaseUrl, poolMax: 2 });
  try {
    const demoProducts = await seedDemoProducts(prisma);
    return { database: databaseNameOf(databaseUrl), migrations, demoProducts };
  } finally {
    await prisma.$disconnect();
  }
}
