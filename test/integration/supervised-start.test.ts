import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../../activities/outbox/kafka.publisher.js';
import {
  createScratchDatabase,
  freePort,
  spawnChild,
  stopChild,
  waitForChild,
  workflowPollerIdentities,
  type Child,
  type ScratchDatabase,
} from '../support/harness.js';

/**
 * `npm start -- --workers 2` (harness/stack/start.ts) against the shared stack, with a database,
 * task queues, topics, consumer groups and ports of its own: a saga worker killed by hand comes
 * back, `npm run worker` from another terminal joins despite the metrics port, an order still
 * completes, and SIGINT stops every process it started.
 */

const env = inject('stackEnv');
const run = randomUUID().slice(0, 8);
const ORDER_TASK_QUEUE = `supervise-it-orders-${run}`;
const RELAY_WORKFLOW_ID = `supervise-it-relay-${run}`;
const TOPIC_PREFIX = `supervise-it-${run}`;
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'supervised-start-'));

let scratch: ScratchDatabase;
let connection: Connection;
let client: Client;
let startEnv: NodeJS.ProcessEnv;
let apiPort: number;
let metricsBase: number;
let start: Child | undefined;
let extraWorker: Child | undefined;

beforeAll(async () => {
  scratch = await createScratchDatabase(env.DATABASE_URL!, 'supervise_it');
  connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
  client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE! });
  [apiPort, metricsBase] = [await freePort(), await freePort()];
  startEnv = {
    ...env,
    DATABASE_URL: scratch.url,
    API_PORT: String(apiPort),
    WORKER_METRICS_HOST: '127.0.0.1',
    WORKER_METRICS_PORT: String(metricsBase),
    ORDER_TASK_QUEUE,
    BOOKING_TASK_QUEUE: `supervise-it-bookings-${run}`,
    RELAY_TASK_QUEUE: `supervise-it-relay-${run}`,
    RELAY_WORKFLOW_ID,
    KAFKA_TOPIC_PREFIX: TOPIC_PREFIX,
    KAFKA_TOPIC_PARTITIONS: '1',
    KAFKA_CLIENT_ID: `supervise-it-${run}`,
    LOYALTY_CONSUMER_GROUP: `supervise-it-loyalty-${run}`,
    ORDER_VIEW_CONSUMER_GROUP: `supervise-it-order-view-${run}`,
    LOG_LEVEL: 'warn',
  };
});

afterAll(async () => {
  if (extraWorker) await stopChild(extraWorker);
  if (start) await stopChild(start, 20_000);
  await client?.workflow
    .getHandle(RELAY_WORKFLOW_ID)
    .terminate('supervised-start test over')
    .catch(() => {});
  await connection?.close();
  const admin = createKafka(env.KAFKA_BROKERS!.split(','), `supervise-it-${run}`).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${TOPIC_PREFIX}.`));
  await admin.deleteTopics({ topics }).catch(() => {});
  await admin.disconnect();
  await scratch?.drop();
});

const output = (child: Child) => fs.readFileSync(child.logFile, 'utf8');

/** Waits for a line of `child`'s output matching `pattern`; fails early if the child exits. */
async function lineOf(child: Child, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  await waitForChild(
    child,
    `printing ${pattern}`,
    async () => pattern.test(output(child)),
    timeoutMs,
  );
  return pattern.exec(output(child))!;
}

/** Waits until Temporal sees process `pid` of this host polling the private order queue. */
async function polling(child: Child, pid: number, timeoutMs: number): Promise<void> {
  const identity = `${pid}@${os.hostname()}`;
  await waitForChild(
    child,
    `pid ${pid} polling ${ORDER_TASK_QUEUE}`,
    async () =>
      (await workflowPollerIdentities(client, env.TEMPORAL_NAMESPACE!, ORDER_TASK_QUEUE)).includes(
        identity,
      ),
    timeoutMs,
  );
}

const metricsAnswer = async (port: number) => (await fetch(`http://127.0.0.1:${port}/metrics`)).ok;

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The processes left in a process group (`ps` lists them with their command lines). */
function groupMembers(pgid: number): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  } catch {
    return []; // ps exits 1 when it lists nothing
  }
}

/** Polls until the group is empty (a helper, e.g. tsx's esbuild, may outlive its parent by a moment). */
async function leftInGroup(pgid: number, timeoutMs = 5_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (groupMembers(pgid).length > 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 100));
  return groupMembers(pgid);
}

describe('npm start supervises its processes', () => {
  it('restarts a SIGKILLed saga worker, takes an extra npm run worker, and SIGINT stops everything', async () => {
    start = spawnChild(
      'npm-start',
      'harness/stack/start.ts',
      startEnv,
      path.join(logDir, 'start.log'),
      ['--workers', '2'],
    );
    const banner = await lineOf(
      start,
      /Saga workers +worker-1 \(pid (\d+)\), worker-2 \(pid (\d+)\)/,
      90_000,
    );
    const [worker1, worker2] = [Number(banner[1]), Number(banner[2])];
    expect(output(start)).toContain(
      `(workers: http://127.0.0.1:${metricsBase}/metrics, http://127.0.0.1:${metricsBase + 1}/metrics)`,
    );
    await Promise.all([polling(start, worker1, 60_000), polling(start, worker2, 60_000)]);
    expect(await metricsAnswer(metricsBase + 1)).toBe(true);

    // `npm run worker` from another terminal, on a metrics port a worker of npm start holds
    // (worker-2's: worker-1's is free for a moment once it is killed).
    extraWorker = spawnChild(
      'extra-worker',
      'workers/saga-worker.ts',
      { ...startEnv, WORKER_METRICS_PORT: String(metricsBase + 1), LOG_LEVEL: 'info' },
      path.join(logDir, 'extra-worker.log'),
    );

    const killedAt = Date.now();
    process.kill(worker1, 'SIGKILL');
    await lineOf(
      start,
      new RegExp(
        `worker-1 \\(pid ${worker1}\\) died \\(SIGKILL\\); restarting in 0\\.5 s — its in-flight sagas resume on the new worker`,
      ),
      10_000,
    );
    const restarted = Number((await lineOf(start, /worker-1 restarted \(pid (\d+)\)/, 10_000))[1]);
    await polling(start, restarted, 60_000);
    console.log(`killed worker-1: its replacement polls after ${Date.now() - killedAt} ms`);
    expect(isGone(worker1)).toBe(true);

    const ready = await lineOf(
      extraWorker,
      /"metrics":"http:\/\/127\.0\.0\.1:(\d+)\/metrics"/,
      60_000,
    );
    expect(Number(ready[1])).not.toBe(metricsBase + 1);
    expect(await metricsAnswer(Number(ready[1]))).toBe(true);
    await polling(extraWorker, extraWorker.pid, 30_000);

    const key = `supervise-it-${run}`;
    const response = await fetch(`http://127.0.0.1:${apiPort}/orders?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({
        customerId: 'c-supervise',
        items: [{ sku: 'SKU-COFFEE', quantity: 1 }],
        paymentToken: 'tok_visa',
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe('CONFIRMED');
    await stopChild(extraWorker);

    // Only the start process gets the signal: it must stop what it started by itself.
    process.kill(start.pid, 'SIGINT');
    expect(await start.exited).toBe('exit 0');
    expect(output(start)).toContain('stopping…');
    expect([restarted, worker2].filter((pid) => !isGone(pid))).toEqual([]);
    expect(await leftInGroup(start.pid)).toEqual([]); // nothing left in its process group
  }, 180_000);
});
