import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type { Prisma } from '../generated/prisma/client.js';
export { PrismaClient };

/** Repositories take either the client or an interactive transaction's client. */
export type Db = PrismaClient | Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export function createPrismaClient({
  url,
  poolMax,
}: {
  url: string;
  poolMax: number;
}): PrismaClient {
  // A bounded pool: a burst of requests queues for a connection instead of failing.
  const adapter = new PrismaPg({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: 30_000,
  });
  return new PrismaClient({ adapter });
}
