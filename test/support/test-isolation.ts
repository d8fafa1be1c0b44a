import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  BOOKING_TASK_QUEUE,
  ORDER_TASK_QUEUE,
  RELAY_TASK_QUEUE,
  RELAY_WORKFLOW_ID,
} from '../../workflows/contracts/names.js';
import { databaseNameOf, withDatabase } from '../../harness/support/scratch-database.js';

/**
 * What keeps `npm test` out of what `npm start` uses on the same local stack, in one place. The
 * integration setup gives each run a database of its own (made afresh), a payment gateway on it,
 * and private names for everything shared on the servers; it provides them as `stackEnv`, so
 * `testConfig(stackEnv)` and the processes a test spawns with `...stackEnv` use them unless the
 * test names its own. The Temporal namespace stays shared: tests' workflow ids are random keys.
 */

/** The run's database: on the stack's server, named after the stack's with `_test`. */
export function testDatabaseUrl(stackDatabaseUrl: string): string {
  const name = databaseNameOf(stackDatabaseUrl) || 'postgres';
  return withDatabase(stackDatabaseUrl, `${name}_test`);
}

/** Task queues, relay workflow, topic prefix and consumer groups of one test run. */
export function privateNames(run = randomBytes(3).toString('hex')): Record<string, string> {
  const suffix = `it-${run}`;
  return {
    ORDER_TASK_QUEUE: `${ORDER_TASK_QUEUE}-${suffix}`,
    BOOKING_TASK_QUEUE: `${BOOKING_TASK_QUEUE}-${suffix}`,
    RELAY_TASK_QUEUE: `${RELAY_TASK_QUEUE}-${suffix}`,
    RELAY_WORKFLOW_ID: `${RELAY_WORKFLOW_ID}-${suffix}`,
    KAFKA_TOPIC_PREFIX: `sagas-${suffix}`,
    LOYALTY_CONSUMER_GROUP: `loyalty-${suffix}`,
    ORDER_VIEW_CONSUMER_GROUP: `order-view-${suffix}`,
  };
}

/** The tables a test run would fill if it wrote to `npm start`'s database, its gateway's included. */
const FOOTPRINT_TABLES = [
  'products',
  'orders',
  'events',
  'bookings',
  'outbox_events',
  'processed_events',
  'order_views',
  'payment_gateway.charges',
] as const;

/**
 * Row counts of those tables in the database `url` names; a missing table or database counts as
 * empty (`npm start` may never have run).
 */
export async function footprint(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') return {}; // no such database
    throw error;
  }
  try {
    const counts: Record<string, number> = {};
    for (const table of FOOTPRINT_TABLES) {
      const { rows } = await client.query<{ present: string | null }>(
        'SELECT to_regclass($1)::text AS present',
        [table],
      );
      if (!rows[0]?.present) continue;
      const counted = await client.query<{ count: string }>(`SELECT count(*) FROM ${table}`);
      counts[table] = Number(counted.rows[0]?.count ?? 0);
    }
    return counts;
  } finally {
    await client.end();
  }
}

/** The tables whose count differs, as `table: before → after`. */
export function footprintChanges(
  before: Record<string, number>,
  after: Record<string, number>,
): string[] {
  const tables = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...tables]
    .filter((table) => (before[table] ?? 0) !== (after[table] ?? 0))
    .map((table) => `${table}: ${before[table] ?? 0} → ${after[table] ?? 0}`);
}
