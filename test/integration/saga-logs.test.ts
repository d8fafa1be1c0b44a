import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnChild, stopChild, waitForChild, type Child } from '../support/harness.js';
import { createPrismaClient, type PrismaClient } from '../../prisma/client.js';
import { orderWorkflowId } from '../../workflows/contracts/names.js';
import type { orderSaga } from '../../workflows/orders/order-saga.js';

/**
 * A real saga worker process logs JSON through pino; every line that concerns a saga carries that
 * saga's workflow id: the workflow's own lines (through the SDK logger), and lines written by
 * activities or by what they call (through the worker logger's activity mixin).
 */

const env = inject('stackEnv');
const suffix = randomUUID().slice(0, 8);
const taskQueue = `it-logs-orders-${suffix}`;

let prisma: PrismaClient;
let connection: Connection;
let client: Client;
let worker: Child;

const linesOf = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => ({ line, json: JSON.parse(line) as Record<string, unknown> }));

beforeAll(async () => {
  prisma = createPrismaClient({ url: env.DATABASE_URL!, poolMax: 4 });
  const logFile = `${fs.mkdtempSync('/tmp/saga-logs-')}/worker.log`;
  worker = spawnChild(
    'saga-worker',
    'workers/saga-worker.ts',
    {
      ...env,
      ORDER_TASK_QUEUE: taskQueue,
      BOOKING_TASK_QUEUE: `it-logs-bookings-${suffix}`,
      RELAY_TASK_QUEUE: `it-logs-relay-${suffix}`,
      RELAY_WORKFLOW_ID: `it-logs-relay-${suffix}`,
      WORKER_METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json', // the test reads the lines as JSON, whatever the developer's env says
    },
    logFile,
  );
  await waitForChild(
    worker,
    'ready',
    async () => linesOf(logFile).some(({ json }) => json.msg === 'worker ready'),
    90_000,
  );
  connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
  client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE ?? 'default' });
});

afterAll(async () => {
  if (worker) await stopChild(worker);
  await connection?.close();
  await prisma?.$disconnect();
});

async function runOrder(paymentToken: string) {
  const sku = `IT-LOGS-${randomUUID()}`;
  await prisma.product.create({
    data: { sku, name: `logs ${sku}`, priceCents: 1_500, stockOnHand: 5 },
  });
  const orderId = `it-logs-${randomUUID()}`;
  const run = client.workflow.execute<typeof orderSaga>('orderSaga', {
    taskQueue,
    workflowId: orderWorkflowId(orderId),
    args: [{ orderId, customerId: `c-${suffix}`, items: [{ sku, quantity: 2 }], paymentToken }],
  });
  return {
    orderId,
    result: await run.then(
      () => 'completed' as const,
      (error: unknown) => error,
    ),
  };
}

describe('saga worker logs', () => {
  it('names the workflow on every line about a saga, from workflow code and from activities', async () => {
    const confirmed = await runOrder('tok_visa');
    const declined = await runOrder('tok_declined');
    expect(confirmed.result).toBe('completed');
    expect(declined.result).toBeInstanceOf(WorkflowFailedError);

    // The worker may still be flushing the last lines.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const lines = linesOf(worker.logFile);
    for (const { orderId } of [confirmed, declined]) {
      const about = lines.filter(({ line }) => line.includes(orderId));
      expect(about.length, `no log lines about ${orderId}`).toBeGreaterThan(0);
      for (const { line, json } of about) {
        expect(json.workflowId, line).toBe(orderWorkflowId(orderId));
      }
    }
    // An activity's own pino line (the notification provider) and a workflow line (compensation).
    const notified = lines.find(
      ({ json }) =>
        json.msg === 'notification sent' && json.workflowId === orderWorkflowId(confirmed.orderId),
    );
    expect(notified?.json).toMatchObject({
      activityType: 'notifyCustomer',
      workflowType: 'orderSaga',
    });
    const compensating = lines.find(
      ({ json }) =>
        json.msg === 'order saga compensating' &&
        json.workflowId === orderWorkflowId(declined.orderId),
    );
    expect(compensating?.json).toMatchObject({
      workflowType: 'orderSaga',
      type: 'PaymentDeclined',
    });
  });
});
