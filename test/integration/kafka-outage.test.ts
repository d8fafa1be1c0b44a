import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafka } from '../../activities/outbox/kafka.publisher.js';
import { createHttpPaymentGateway } from '../../activities/payments/payment.gateway.js';
import { createApp, type App } from '../../api/app.js';
import { createEventLogQueries } from '../../activities/outbox/event-log.queries.js';
import { temporalRelayExecution } from '../../api/event-log/relay-execution.js';
import { createPrismaOrderQueries } from '../../activities/orders/order.queries.js';
import { createTemporalOrderCommands } from '../../api/orders/temporal-order.commands.js';
import { createPrismaViewQueries } from '../../activities/projections/projection.queries.js';
import { runKafkaOutageScenario } from '../support/scenarios.js';
import { createPrismaClient, type PrismaClient } from '../../prisma/client.js';
import { seedDemoProducts } from '../../prisma/demo-products.js';
import { createScratchDatabase, type ScratchDatabase } from '../../harness/support/scratch-database.js';
import { startKafkaBroker, type KafkaBroker } from '../../harness/support/private-kafka.js';
import { startSagaEventConsumers } from '../../activities/projections/saga-event-consumers.js';
import { createRelayActivities, ensureRelayRunning } from '../../workers/composition/relay.js';
import { startSagaWorker } from '../support/integration-helpers.js';
import { workflowBundle } from '../support/workflow-worker.js';

/**
 * The demo's scenario (npm run demo:kafka-outage) in this process, isolated: a scratch database, a
 * private Kafka broker the scenario stops and starts, a saga worker on its own order task queue, a
 * relay workflow of its own on its own task queue, and the two consumers. The REST API is the real
 * app, called with `app.request`.
 */

const env = inject('stackEnv');
const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
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
  prisma = createPrismaClient({ url: scratch.url, poolMax: 20 });
  cleanups.push(() => prisma.$disconnect());
  await seedDemoProducts(prisma);

  const saga = await startSagaWorker({
    address: env.TEMPORAL_ADDRESS!,
    namespace,
    taskQueue: orderTaskQueue,
    deps: {
      prisma,
      payments: createHttpPaymentGateway({ baseUrl: env.PAYMENT_GATEWAY_URL!, timeoutMs: 5_000 }),
      logger,
    },
  });
  cleanups.push(() => saga.stop());
  client = saga.client;

  const relay = createRelayActivities(
    {
      DATABASE_URL: scratch.url,
      KAFKA_BROKERS: broker.brokers,
      KAFKA_CLIENT_ID: `kafka-outage-${run}`,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_TOPIC_PARTITIONS: PARTITIONS,
      RELAY_BATCH_SIZE: 500,
      RELAY_CONCURRENCY: 2,
      RELAY_POLL_INTERVAL_MS: 1_000,
      // Kept short so a publish that fails just after the broker's port opens is retried soon.
      RELAY_MAX_BACKOFF_MS: 2_000,
      EVENT_LOG_RETENTION_DAYS: 0,
    },
    prisma,
    logger,
  );
  cleanups.push(() => relay.close());
  const relayConnection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS! });
  cleanups.push(() => relayConnection.close());
  const relayWorker = await Worker.create({
    connection: relayConnection,
    namespace,
    taskQueue: relayTaskQueue,
    workflowBundle: await workflowBundle(),
    activities: relay.activities,
    maxConcurrentActivityTaskExecutions: 1,
  });
  const relayRunning = relayWorker.run();
  await ensureRelayRunning(client, { workflowId: relayWorkflowId, taskQueue: relayTaskQueue });
  cleanups.push(() =>
    client.workflow.getHandle(relayWorkflowId).terminate('kafka-outage test done'),
  );
  // Before the workflow ends: the relay activity is cancelled by the shutdown and completes.
  cleanups.push(async () => {
    relayWorker.shutdown();
    await relayRunning;
  });

  const kafka = createKafka(broker.brokers, `kafka-outage-${run}-consumers`);
  const consumers = startSagaEventConsumers({
    kafka,
    prisma,
    groups: consumerGroups,
    topicPrefix,
    partitions: PARTITIONS,
    maxAttempts: 3,
    logger,
  });
  cleanups.push(() => Promise.all(consumers.map((consumer) => consumer.stop())));

  app = createApp({
    orderCommands: createTemporalOrderCommands(client, { taskQueue: orderTaskQueue }),
    orderQueries: createPrismaOrderQueries(prisma),
    waitTimeoutMs: 30_000,
    eventLog: createEventLogQueries({
      prisma,
      relayExecution: temporalRelayExecution(client, relayWorkflowId),
    }),
    views: createPrismaViewQueries({
      prisma,
      sagaViewConsumer: consumerGroups.orderView,
      loyaltyConsumer: consumerGroups.loyalty,
    }),
  });
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
