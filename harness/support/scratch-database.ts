import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MIGRATIONS_DIR, migrateDeploy } from '../../prisma/migration-runner.js';

export interface ScratchDatabase {
  /** `baseUrl` with the database swapped for the scratch one. */
  url: string;
  /** Ends any connection still open on it, then drops it. */
  drop(): Promise<void>;
}

/** `baseUrl` on the same server, naming another database. */
export function withDatabase(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** The database `url` names. */
export function databaseNameOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

async function onServer(baseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({
    connectionString: withDatabase(baseUrl, 'postgres'),
    connectionTimeoutMillis: 5_000,
  });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, fully migrated database on the server of `baseUrl`, for a test that must own its data. */
export async function createScratchDatabase(
  baseUrl: string,
  prefix = 'scratch',
): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const quoted = pg.escapeIdentifier(name);
  const url = withDatabase(baseUrl, name);
  // FORCE terminates the remaining backends and drops in one step, so a pool cannot reconnect in between.
  const drop = () => onServer(baseUrl, `DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);

  await onServer(baseUrl, `CREATE DATABASE ${quoted}`);
  try {
    await migrateDeploy(url, MIGRATIONS_DIR);
  } catch (error) {
    await drop();
    throw error;
  }
  return { url, drop };
}

/**
 * Drops the database `url` names (ending any connection still open on it), creates it empty and
 * migrates it; returns the migrations applied.
 */
export async function recreateDatabase(url: string): Promise<string[]> {
  const quoted = pg.escapeIdentifier(databaseNameOf(url));
  await onServer(url, `DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
  await onServer(url, `CREATE DATABASE ${quoted}`);
  const { applied } = await migrateDeploy(url, MIGRATIONS_DIR);
  return applied;
}
