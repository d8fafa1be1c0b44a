import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnChild, stopChild, waitForChild, freePort, type Child } from '../support/harness.js';
import { createKafka } from '../../activities/outbox/kafka.publisher.js';
import type { App } from '../../api/app.js';
import type { PrismaClient } from '../../prisma/client.js';
import { FAULT_CARDS } from '../../payment-gateway/faults.js';
import {
  buildApi,
  createClients,
  type AllInOneConfig,
  type Api,
  type Clients,
} from '../../workers/composition/index.js';
import { orderWorkflowId } from '../../workflows/contracts/names.js';
import { testConfig, waitUntil } from '../support/integration-helpers.js';
import { parsePrometheusText, samplesOf, type Sample } from '../support/prometheus-text.js';

/**
 * Both metrics endpoints on the real stack: the API's `/metrics` (HTTP, saga outcomes, outbox
 * backlog, consumer lag) served by the app in this process, and a real saga worker process (on
 * task queues of its own) serving the Temporal SDK's metrics and the payment breaker's state.
 */

const env = inject('stackEnv');
const run = randomUUID().slice(0, 8);
const queues = {
  ORDER_TASK_QUEUE: `metrics-it-orders-${run}`,
  BOOKING_TASK_QUEUE: `metrics-it-bookings-${run}`,
  RELAY_TASK_QUEUE: `metrics-it-relay-${run}`,
  RELAY_WORKFLOW_ID: `metrics-it-relay-${run}`,
};
// A consumer group and topic of this test's own, so its lag is known exactly.
const lagGroup = `metrics-it-${run}`;
const lagTopic = `metrics-it-${run}`;
const HALF_OPEN_MS = 10_000;
const kafka = createKafka(env.KAFKA_BROKERS!.split(','), `metrics-it-${run}`);

let config: AllInOneConfig;
let clients: Clients;
let api: Api;
let prisma: PrismaClient;
let client: Client;
let worker: Child | undefined;
let workerMetricsUrl: string;
let app: App;
const startedOrders: string[] = [];

beforeAll(async () => {
  config = testConfig(env, {
    DATABASE_POOL_MAX: '5',
    ORDER_TASK_QUEUE: queues.ORDER_TASK_QUEUE,
    BOOKING_TASK_QUEUE: queues.BOOKING_TASK_QUEUE,
    KAFKA_CLIENT_ID: `metrics-it-${run}`,
    // The groups whose lag /metrics reports: the test's, and one that never committed anything.
    LOYALTY_CONSUMER_GROUP: lagGroup,
    ORDER_VIEW_CONSUMER_GROUP: `${lagGroup}-unused`,
    METRICS_COLLECT_TIMEOUT_MS: '5000',
    ORDER_WAIT_TIMEOUT_MS: '30000',
  });
  clients = await createClients(config, { logger: pino({ level: 'silent' }) });
  ({
    prisma,
    temporal: { client },
  } = clients);

  const metricsPort = await freePort();
  workerMetricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  worker = spawnChild(
    'saga-worker',
    'workers/saga-worker.ts',
    {
      ...env,
      ...queues,
      WORKER_METRICS_HOST: '127.0.0.1',
      WORKER_METRICS_PORT: String(metricsPort),
      // Two failed charges open the circuit; it lets a probe through after 10 s.
      PAYMENT_BREAKER_FAILURES: '2',
      PAYMENT_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json', // readiness is read from the log's JSON, whatever the developer's env says
    },
    `${fs.mkdtempSync('/tmp/metrics-worker-')}/worker.log`,
  );

  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: lagTopic, numPartitions: 1 }],
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: lagTopic,
      messages: Array.from({ length: 5 }, (_, i) => ({ value: `message ${i}` })),
    });
    await producer.disconnect();
    // The group has processed 2 of the 5 messages.
    await admin.setOffsets({
      groupId: lagGroup,
      topic: lagTopic,
      partitions: [{ partition: 0, offset: '2' }],
    });
  } finally {
    await admin.disconnect();
  }

  api = buildApi(config, clients);
  app = api.app;

  // Bundling the workflows takes a while on a busy machine.
  const logFile = worker.logFile;
  await waitForChild(
    worker,
    'ready',
    async () => fs.readFileSync(logFile, 'utf8').includes('"msg":"worker ready"'),
    150_000,
  );
});

afterAll(async () => {
  await Promise.all(
    [...startedOrders.map(orderWorkflowId), queues.RELAY_WORKFLOW_ID].map((id) =>
      client?.workflow
        .getHandle(id)
        .terminate('metrics test over')
        .catch(() => {}),
    ),
  );
  if (worker) await stopChild(worker, 15_000);
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteGroups([lagGroup]).catch(() => {});
  await admin.deleteTopics({ topics: [lagTopic] }).catch(() => {});
  await admin.disconnect();
  await api?.close();
  await clients?.close();
});

async function apiMetrics(): Promise<Sample[]> {
  const response = await app.request('/metrics');
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
}

async function workerMetrics(): Promise<Sample[]> {
  const response = await fetch(workerMetricsUrl);
  expect(response.status).toBe(200);
  return parsePrometheusText(await response.text());
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) => {
  const found = samplesOf(samples, name, labels);
  expect(found, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return found[0]!.value;
};

async function createProduct(): Promise<string> {
  const sku = `IT-${randomUUID()}`;
  await prisma.product.create({
    data: { sku, name: `metrics ${sku}`, priceCents: 1_250, stockOnHand: 10 },
  });
  return sku;
}

function postOrder(
  sku: string,
  paymentToken: string,
  wait: boolean,
  key = `metrics-${randomUUID()}`,
) {
  startedOrders.push(key);
  return app.request(`/orders${wait ? '?wait=true' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({
      customerId: 'customer-metrics',
      items: [{ sku, quantity: 1 }],
      paymentToken,
    }),
  });
}

describe('API /metrics on the real stack', () => {
  it('shows POST /orders by route and status, the confirmed order, the outbox backlog and consumer lag', async () => {
    const sku = await createProduct();
    const confirmedBefore = value(await apiMetrics(), 'sagas_by_status', {
      saga_type: 'order',
      status: 'CONFIRMED',
    });

    const response = await postOrder(sku, 'tok_visa', true);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'CONFIRMED' });

    const samples = await apiMetrics();
    const placed = { method: 'POST', route: '/orders', status: '200' };
    expect(value(samples, 'http_requests_total', placed)).toBe(1);
    expect(value(samples, 'http_request_duration_seconds_count', placed)).toBe(1);
    // Other tests may confirm orders meanwhile: at least this one more.
    expect(
      value(samples, 'sagas_by_status', { saga_type: 'order', status: 'CONFIRMED' }),
    ).toBeGreaterThanOrEqual(confirmedBefore + 1);
    expect(
      value(samples, 'sagas_by_status', { saga_type: 'booking', status: 'HELD' }),
    ).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'outbox_unpublished_events')).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'outbox_oldest_unpublished_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(
      value(samples, 'kafka_consumer_group_lag', {
        group: lagGroup,
        topic: lagTopic,
        partition: '0',
      }),
    ).toBe(3);
    for (const collector of ['saga_outcomes', 'outbox', 'consumer_lag']) {
      expect(value(samples, 'metrics_collector_up', { collector })).toBe(1);
    }
    expect(samplesOf(samples, 'process_cpu_user_seconds_total')).toHaveLength(1);
  });

  it('still answers with the database metrics when Kafka cannot be reached, reporting lag down', async () => {
    const deadBroker = `127.0.0.1:${await freePort()}`;
    const deadKafkaApi = buildApi({ ...config, KAFKA_BROKERS: [deadBroker] }, clients);
    try {
      const deadKafkaApp = deadKafkaApi.app;
      const response = await deadKafkaApp.request('/metrics');
      expect(response.status).toBe(200);
      const samples = parsePrometheusText(await response.text());
      expect(value(samples, 'metrics_collector_up', { collector: 'consumer_lag' })).toBe(0);
      expect(samplesOf(samples, 'kafka_consumer_group_lag')).toEqual([]);
      expect(value(samples, 'metrics_collector_up', { collector: 'outbox' })).toBe(1);
      expect(value(samples, 'outbox_unpublished_events')).toBeGreaterThanOrEqual(0);
    } finally {
      await deadKafkaApi.close();
    }
  });
});

describe('saga worker metrics endpoint', () => {
  it('serves the Temporal SDK worker metrics of its task queues and the breaker state', async () => {
    const samples = await workerMetrics();
    const ofOurQueue = samples.filter(
      (s) => s.name.startsWith('temporal_') && s.labels.task_queue === queues.ORDER_TASK_QUEUE,
    );
    expect(ofOurQueue.length).toBeGreaterThan(0);
    // The order placed above ran on this worker.
    const completed = samplesOf(samples, 'temporal_workflow_completed_total', {
      task_queue: queues.ORDER_TASK_QUEUE,
    });
    expect(completed.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'payment_circuit_breaker_state', { state: 'closed' })).toBe(1);
    expect(value(samples, 'payment_circuit_breaker_state', { state: 'open' })).toBe(0);
  });

  it('flips the breaker gauge to open while charges fail, and back to closed once a probe succeeds', async () => {
    // The gateway answers 503 to the first two attempts per charge key of this card: they open
    // the circuit. Retries fail fast until it half-opens; the probe then succeeds.
    const key = `metrics-${randomUUID()}`;
    const response = await postOrder(await createProduct(), FAULT_CARDS.flaky, false, key);
    expect(response.status, await response.clone().text()).toBe(202);

    const breakerState = async () => {
      const samples = await workerMetrics();
      const current = ['closed', 'half-open', 'open'].filter(
        (state) => samplesOf(samples, 'payment_circuit_breaker_state', { state })[0]?.value === 1,
      );
      // Between the gauge's per-state updates a scrape may catch none or two at 1: not decided yet.
      return current.length === 1 ? current[0] : undefined;
    };
    await waitUntil(
      'the breaker gauge to show open',
      async () => ((await breakerState()) === 'open' ? true : undefined),
      HALF_OPEN_MS,
    );
    await waitUntil(
      'the order to be confirmed after the probe',
      async () => {
        const order = await prisma.order.findUnique({ where: { id: key } });
        return order?.status === 'CONFIRMED' ? order : undefined;
      },
      HALF_OPEN_MS + 30_000,
    );
    expect(await breakerState()).toBe('closed');
  });
});
