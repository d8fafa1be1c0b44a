import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
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

/** What the run checks at its end was left alone: `npm start`'s database and task queues. */
export interface NpmStartResources {
  databaseUrl: string;
  temporal: { address: string; namespace: string };
  taskQueues: string[];
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
async function footprint(url: string): Promise<Record<string, number>> {
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

/** How many workflows were started on `taskQueues` since `since` (visibility may trail a moment). */
async function workflowsStartedOn(
  { address, namespace }: NpmStartResources['temporal'],
  taskQueues: string[],
  since: Date,
): Promise<number> {
  const connection = await Connection.connect({ address });
  try {
    const onQueues = taskQueues.map((queue) => `TaskQueue = '${queue}'`).join(' OR ');
    const query = `(${onQueues}) AND StartTime >= '${since.toISOString()}'`;
    const { count } = await new Client({ connection, namespace }).workflow.count(query);
    return count;
  } finally {
    await connection.close();
  }
}

export interface NpmStartSnapshot {
  at: Date;
  rows: Record<string, number>;
}

export async function snapshotNpmStart(npmStart: NpmStartResources): Promise<NpmStartSnapshot> {
  return { at: new Date(), rows: await footprint(npmStart.databaseUrl) };
}

/**
 * What changed in `npm start`'s database and on its task queues since `before`, one line each:
 * a net for a test that bypasses stackEnv (npm start's own traffic meanwhile shows too).
 */
export async function npmStartChanges(
  npmStart: NpmStartResources,
  before: NpmStartSnapshot,
): Promise<string[]> {
  const after = await footprint(npmStart.databaseUrl);
  const tables = new Set([...Object.keys(before.rows), ...Object.keys(after)]);
  const changes = [...tables]
    .filter((table) => (before.rows[table] ?? 0) !== (after[table] ?? 0))
    .map((table) => `${table}: ${before.rows[table] ?? 0} → ${after[table] ?? 0} rows`);
  const started = await workflowsStartedOn(npmStart.temporal, npmStart.taskQueues, before.at);
  if (started > 0)
    changes.push(`${started} workflow(s) started on ${npmStart.taskQueues.join(', ')}`);
  return changes;
}
