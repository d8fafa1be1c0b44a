import { createPrismaClient, type PrismaClient } from '../../prisma/client.js';
import type { WorkerConfig } from '../worker.config.js';

export type DatabaseConfig = Pick<WorkerConfig, 'DATABASE_URL' | 'DATABASE_POOL_MAX'>;

/** The Prisma client on DATABASE_URL; it connects on its first query. */
export const createDatabase = (config: DatabaseConfig): PrismaClient =>
  createPrismaClient({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX });
