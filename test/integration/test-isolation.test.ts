import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topicFor } from '../../activities/outbox/event-envelope.js';
import { loadConfig } from '../../platform/config/load-config.js';
import { gatewayConfigSchema } from '../../payment-gateway/config.js';
import {
  allInOneConfigSchema,
  buildApi,
  createClients,
  type AllInOneConfig,
  type Api,
  type Clients,
  type SagaWorkers,
} from '../../workers/composition/index.js';
import { orderWorkflowId } from '../../workflows/contracts/names.js';
import {
  ledgerFor,
  startSagaWorkers,
  testConfig,
  waitUntil,
} from '../support/integration-helpers.js';
import { readerKafka, readTopics } from '../support/topic-reader.js';

/**
 * `npm test` stays out of what `npm start` uses on the same stack: with the tests' defaults
 * (testConfig), a saga lands in the run's own database, gateway, task queues, relay workflow and
 * topics, and nothing of it in npm start's database or its gateway's ledger.
 */

const env = inject('stackEnv');
/** What `npm start` runs with: this environment, without the test setup's settings. */
const npmStart = loadConfig(allInOneConfigSchema);
const npmStartGatewayDatabase = loadConfig(gatewayConfigSchema).PAYMENT_GATEWAY_DATABASE_URL;

const ISOLATED = [
  'DATABASE_URL',
  'PAYMENT_GATEWAY_URL',
  'ORDER_TASK_QUEUE',
  'BOOKING_TASK_QUEUE',
  'RELAY_TASK_QUEUE',
  'RELAY_WORKFLOW_ID',
  'KAFKA_TOPIC_PREFIX',
  'LOYALTY_CONSUMER_GROUP',
  'ORDER_VIEW_CONSUMER_GROUP',
] as const;

/** How many rows `sql` counts in `url`'s database; none when the database or table is missing. */
async function countIn(url: string, sql: string, values: unknown[]): Promise<number> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ count: string }>(sql, values);
    return Number(rows[0]?.count ?? 0);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '3D000' || code === '42P01') return 0; // no such database / table
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

/** What npm start's database and gateway ledger hold of one order. */
async function inNpmStart(orderId: string, sku: string) {
  const db = npmStart.DATABASE_URL;
  return {
    products: await countIn(db, 'SELECT count(*) FROM products WHERE sku = $1', [sku]),
    orders: await countIn(db, 'SELECT count(*) FROM orders WHERE id = $1', [orderId]),
    outboxEvents: await countIn(db, 'SELECT count(*) FROM outbox_events WHERE aggregate_id = $1', [
      orderId,
    ]),
    gatewayCharges: await countIn(
      npmStartGatewayDatabase,
      'SELECT count(*) FROM payment_gateway.charges WHERE idempotency_key = $1',
      [`${orderWorkflowId(orderId)}:charge`],
    ),
  };
}

describe('test isolation from npm start', () => {
  let config: AllInOneConfig;
  let clients: Clients;
  let workers: SagaWorkers;
  let api: Api;

  beforeAll(async () => {
    config = testConfig(env, { ORDER_WAIT_TIMEOUT_MS: '20000' });
    clients = await createClients(config, { logger: pino({ level: 'silent' }) });
    // The defaults: both saga queues and the relay, whose workflow this starts.
    workers = await startSagaWorkers(config, clients);
    api = buildApi(config, clients);
  });

  afterAll(async () => {
    await workers?.stop();
    // Never end npm start's relay, should isolation ever break.
    if (config && config.RELAY_WORKFLOW_ID !== npmStart.RELAY_WORKFLOW_ID)
      await clients?.temporal.client.workflow
        .getHandle(config.RELAY_WORKFLOW_ID)
        .terminate('test isolation done')
        .catch(() => {});
    await api?.close();
    await clients?.close();
  });

  it('gives the tests their own database (on the same server), gateway, queues, relay, topics and groups', () => {
    const shared = ISOLATED.filter((name) => String(config[name]) === String(npmStart[name]));
    expect(shared).toEqual([]);
    expect(new URL(config.DATABASE_URL).host).toBe(new URL(npmStart.DATABASE_URL).host);
  });

  it("runs a saga with the tests' defaults without a trace in npm start's database or gateway", async () => {
    const { prisma } = clients;
    const sku = `IT-ISOLATION-${randomUUID()}`;
    await prisma.product.create({
      data: { sku, name: `isolation ${sku}`, priceCents: 900, stockOnHand: 3 },
    });
    const orderId = `it-${randomUUID()}`;
    const response = await api.app.request('/orders?wait=true', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
      body: JSON.stringify({
        customerId: 'customer-isolation',
        items: [{ sku, quantity: 1 }],
        paymentToken: 'tok_visa',
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'CONFIRMED' });

    // npm start's database and gateway have nothing of it.
    expect(await inNpmStart(orderId, sku)).toEqual({
      products: 0,
      orders: 0,
      outboxEvents: 0,
      gatewayCharges: 0,
    });

    // The run's own gateway, relay and topic have it all.
    const chargeKey = `${orderWorkflowId(orderId)}:charge`;
    const { charges } = await ledgerFor(config.PAYMENT_GATEWAY_URL, chargeKey);
    expect(charges).toEqual([expect.objectContaining({ status: 'captured' })]);
    const events = await prisma.outboxEvent.count({ where: { aggregateId: orderId } });
    await waitUntil('the relay to publish the order', async () => {
      const waiting = await prisma.outboxEvent.count({
        where: { aggregateId: orderId, publishedAt: null },
      });
      return waiting === 0 ? true : undefined;
    });
    const topic = topicFor(config.KAFKA_TOPIC_PREFIX, 'order');
    const messages = await readTopics(readerKafka(config.KAFKA_BROKERS), [topic]);
    expect(messages.filter((message) => message.key === orderId)).toHaveLength(events);
  });
});
