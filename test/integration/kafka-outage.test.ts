import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../../api/app.js';
import { runKafkaOutageScenario } from '../support/scenarios.js';
import type { PrismaClient } from '../../prisma/client.js';
import { seedDemoProducts } from '../../prisma/demo-products.js';
import {
  createScratchDatabase,
  type ScratchDatabase,
  startKafkaBroker,
  type KafkaBroker,
} from '../support/harness.js';
import { buildApi, createClients, startConsumers } from '../../workers/composition/index.js';
import { startSagaWorkers, testConfig } from '../support/integration-helpers.js';

/**
 * The demo's scenario (npm run demo:kafka-outage) in this process, isolated: a scratch database, a
 * private Kafka broker the scenario stops and starts, a saga worker on its own order task queue, a
 * relay workflow of its own on its own task queue, and the two consumers. The REST API is the real
 * app, called with `app.request`.
 */

const env = inject('stackEnv');
const run = randomUUID().slice(0, 8);
const orderTaskQueue = `kafka-outage-orders-${run}`;
const relayTaskQueue = `kafka-outage-relay-${run}`;
const relayWorkflowId = `kafka-outage-relay-${run}`;
const topicPrefix = `kafka-outage-${run}`;
const consumerGroups = { loyalty: 'loyalty', orderView: 'order-view' };
const PARTITIONS = 4;

const logger = pino({ level: 'silent' });
let scratch: ScratchDatabase;
let broker: KafkaBroker;
let prisma: PrismaClient;
let client: Client;
let app: App;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  const [database, kafkaBroker] = await Promise.allSettled([
    createScratchDatabase(env.DATABASE_URL!, 'kafka_outage'),
    startKafkaBroker(),
  ]);
  if (database.status === 'fulfilled') cleanups.push(() => database.value.drop());
  if (kafkaBroker.status === 'fulfilled') cleanups.push(() => kafkaBroker.value.destroy());
  if (database.status === 'rejected') throw database.reason;
  if (kafkaBroker.status === 'rejected') throw kafkaBroker.reason;
  [scratch, broker] = [database.value, kafkaBroker.value];
  const config = testConfig(env, {
    DATABASE_URL: scratch.url,
    DATABASE_POOL_MAX: '20',
    ORDER_TASK_QUEUE: orderTaskQueue,
    RELAY_TASK_QUEUE: relayTaskQueue,
    RELAY_WORKFLOW_ID: relayWorkflowId,
    KAFKA_BROKERS: broker.brokers.join(','),
    KAFKA_CLIENT_ID: `kafka-outage-${run}`,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    // Kept short so a publish that fails just after the broker's port opens is retried soon.
    RELAY_MAX_BACKOFF_MS: '2000',
    LOYALTY_CONSUMER_GROUP: consumerGroups.loyalty,
    ORDER_VIEW_CONSUMER_GROUP: consumerGroups.orderView,
    CONSUMER_MAX_ATTEMPTS: '3',
    ORDER_WAIT_TIMEOUT_MS: '30000',
  });
  const clients = await createClients(config, { logger });
  cleanups.push(() => clients.close());
  ({
    prisma,
    temporal: { client },
  } = clients);
  await seedDemoProducts(prisma);

  // The order saga's worker on its own queue, and the relay's, which starts the relay workflow.
  const workers = await startSagaWorkers(config, clients, { bothSagasOn: orderTaskQueue });
  cleanups.push(() =>
    client.workflow.getHandle(relayWorkflowId).terminate('kafka-outage test done'),
  );
  // Before the workflow ends: the relay activity is cancelled by the shutdown and completes.
  cleanups.push(() => workers.stop());

  const consumers = startConsumers(config, clients);
  cleanups.push(() => consumers.stop());

  const api = buildApi(config, clients);
  cleanups.push(() => api.close());
  app = api.app;
});

afterAll(async () => {
  // Last in, first out: the consumers stop first, the broker and the database last.
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe('Kafka outage (the demo scenario, isolated)', () => {
  it('orders confirm while Kafka is down; once it is back every event reaches both read models exactly once', async () => {
    const narration: string[] = [];
    const result = await runKafkaOutageScenario({
      api: async (path, init) => app.request(path, init),
      kafka: broker,
      prisma,
      consumerGroups,
      narrate: (line) => narration.push(line),
      topics: { brokers: broker.brokers, prefix: topicPrefix },
      waitTimeoutMs: 60_000,
    }).catch((error: unknown) => {
      if (error instanceof Error) error.message += `\nnarration so far:\n${narration.join('\n')}`;
      throw error;
    });
    console.log(narration.join('\n'));

    expect(result.orderIds).toHaveLength(20);
    expect(result.events).toBe(20 * 5); // placed, reserved, captured, confirmed, notified
    expect(result.outage).toMatchObject({ relayState: 'backing-off' });
    expect(result.outage.unpublished).toBe(result.events);
    expect(result.outage.relayLastError).not.toBe('');
    expect(result.audit.processedRows).toEqual({
      [consumerGroups.loyalty]: result.events,
      [consumerGroups.orderView]: result.events,
    });
    expect(result.audit.points).toBe(result.expectedPoints);
    expect(result.expectedPoints).toBeGreaterThan(0);
    expect(result.audit.kafkaMessages).toBeGreaterThanOrEqual(result.events);
  }, 240_000);
});
