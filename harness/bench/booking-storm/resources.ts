import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { errorText } from '../../../platform/config/error-text.js';
import { createPrismaClient, type PrismaClient } from '../../../prisma/client.js';
import { createFullStack } from '../../stack/full-stack.js';
import { stackStatus } from '../../stack/stack.js';
import { stopAllChildren } from '../../support/children.js';
import { handleInterruption } from '../../support/interruption.js';
import type { ChildRegistry } from '../support/bench-children.js';
import type { KnownPids } from '../support/cpu.js';
import { stormAgent } from '../support/http-client.js';
import type { StormOptions } from './options.js';

/** What one run of the storm holds: its ids, its client-side resources, and whether Ctrl-C came. */
export interface StormRun extends ChildRegistry {
  options: StormOptions;
  runId: string;
  /** Every booking id of this run starts with it. */
  bookingPrefix: string;
  /** Keep-alive connections of every client; destroyed on Ctrl-C, which ends the requests in flight. */
  agent: http.Agent;
  prisma: PrismaClient;
  readonly interrupted: boolean;
  cleanups: (() => Promise<unknown>)[];
}

export function createStormRun(options: StormOptions): StormRun {
  const runId = randomBytes(4).toString('hex');
  const logDir = path.join(os.tmpdir(), `durable-sagas-booking-storm-${runId}`);
  fs.mkdirSync(logDir, { recursive: true });
  const agent = stormAgent(options.clients + 8);
  // Every request in flight ends at once, as ABORTED.
  const interruption = handleInterruption({ doing: 'stopping', cleanUp: () => agent.destroy() });
  const prisma = createPrismaClient({ url: options.config.DATABASE_URL, poolMax: 3 });
  const known: KnownPids = new Map([[process.pid, 'bench (clients)']]);
  return {
    options,
    runId,
    bookingPrefix: `storm-${runId}-`,
    logDir,
    known,
    agent,
    prisma,
    get interrupted() {
      return interruption.interrupted;
    },
    cleanups: [() => prisma.$disconnect()],
  };
}

/** Ends what the run started: requests, child processes, then connections (last opened, first closed). */
export async function closeStormRun(run: StormRun): Promise<void> {
  run.agent.destroy();
  await stopAllChildren();
  for (const cleanup of run.cleanups.reverse()) await cleanup().catch(() => {});
}

export async function temporalClient(run: StormRun): Promise<Client> {
  const { config } = run.options;
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  run.cleanups.push(() => connection.close());
  return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
}

/** Fails with what to do when a server the storm needs is down or the schema is missing. */
export async function preflight(run: StormRun): Promise<void> {
  const needed = ['postgres', 'temporal', 'redis', 'payment-gateway'];
  const down = (await stackStatus(createFullStack(run.options.stackConfig))).filter(
    (s) => needed.includes(s.name) && !s.healthy,
  );
  if (down.length > 0)
    throw new Error(
      `not running: ${down.map((s) => `${s.name} (${s.url})`).join(', ')}\n` +
        'start the local stack first: npm run stack -- up && npm run db:migrate',
    );
  try {
    await run.prisma.$queryRaw`SELECT 1 FROM events LIMIT 1`;
  } catch (error) {
    throw new Error(
      `the database has no events table (${errorText(error)}): run npm run db:migrate`,
    );
  }
}

/** The faults the payment gateway injects right now, as `name=value` pairs, or `none`. */
export async function gatewayFaults(run: StormRun): Promise<string> {
  try {
    const response = await fetch(`${run.options.config.PAYMENT_GATEWAY_URL}/admin/faults`);
    const faults = (await response.json()) as Record<string, unknown>;
    const active = ['errorRate', 'latencyMs', 'dropResponseRate'].filter(
      (name) => typeof faults[name] === 'number' && faults[name] !== 0,
    );
    return active.length === 0
      ? 'none'
      : active.map((name) => `${name}=${String(faults[name])}`).join(' ');
  } catch (error) {
    return `unknown (${errorText(error)})`;
  }
}
