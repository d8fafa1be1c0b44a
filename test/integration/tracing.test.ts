import { randomBytes, randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKafkaPublisher } from '../../activities/outbox/kafka.publisher.js';
import { createOutboxLogRepository } from '../../activities/outbox/event-log.repository.js';
import { createOutboxRelay, type OutboxRelay } from '../../activities/outbox/relay.drain.js';
import type { App } from '../../api/app.js';
import { registerTracing, type Tracing } from '../../platform/telemetry/tracing.js';
import type { PrismaClient } from '../../prisma/client.js';
import {
  createScratchDatabase,
  type ScratchDatabase,
  startKafkaBroker,
  type KafkaBroker,
} from '../support/harness.js';
import type { ProjectionConsumer } from '../../activities/projections/projection.consumer.js';
import { buildApi, createClients, startConsumers } from '../../workers/composition/index.js';
import { orderWorkflowId } from '../../workflows/contracts/names.js';
import { startSagaWorkers, testConfig, waitUntil } from '../support/integration-helpers.js';

/**
 * One order through every traced hop, on the real stack: the API (with its SERVER spans), a
 * Temporal client and an in-process worker with the OpenTelemetry interceptors on a private task
 * queue, a scratch database, the relay to a private Kafka broker, and both projection consumers.
 * All of it reports to one in-memory exporter, and the order's spans must form one trace.
 */

const env = inject('stackEnv');
const runId = randomBytes(4).toString('hex');
const taskQueue = `tracing-test-${runId}`;
const topicPrefix = `tracing-${runId}`;
const logger = pino({ level: 'silent' });
const spans = new InMemorySpanExporter();

/** The activity that commits each event, and so the span its consumers must continue. */
const WRITER_OF: Record<string, string> = {
  OrderPlaced: 'createOrder',
  InventoryReserved: 'reserveInventory',
  PaymentCaptured: 'chargePayment',
  OrderConfirmed: 'confirmOrder',
  CustomerNotified: 'notifyCustomer',
};

let tracing: Tracing;
let scratch: ScratchDatabase;
let broker: KafkaBroker;
let prisma: PrismaClient;
let relay: OutboxRelay;
let app: App;
const consumers: ProjectionConsumer[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  tracing = registerTracing({
    serviceName: 'tracing-test',
    spanProcessor: new SimpleSpanProcessor(spans),
  });
  [scratch, broker] = await Promise.all([
    createScratchDatabase(env.DATABASE_URL!, 'tracing_test'),
    startKafkaBroker(),
  ]);
  const config = testConfig(env, {
    DATABASE_URL: scratch.url,
    DATABASE_POOL_MAX: '10',
    ORDER_TASK_QUEUE: taskQueue,
    ORDER_WAIT_TIMEOUT_MS: '20000',
    KAFKA_BROKERS: broker.brokers.join(','),
    KAFKA_CLIENT_ID: `tracing-test-${runId}`,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    KAFKA_TOPIC_PARTITIONS: '1',
    LOYALTY_CONSUMER_GROUP: `loyalty-${runId}`,
    ORDER_VIEW_CONSUMER_GROUP: `order-view-${runId}`,
    CONSUMER_MAX_ATTEMPTS: '3',
  });
  // The test's tracing: the Temporal client, the worker, the API and the consumers all report to it.
  const clients = await createClients(config, { logger, tracing });
  cleanups.push(() => clients.close());
  prisma = clients.prisma;
  // No relay worker: the test drains the outbox itself.
  const workers = await startSagaWorkers(config, clients, { bothSagasOn: taskQueue, relay: false });
  cleanups.push(() => workers.stop());

  const publisher = createKafkaPublisher({
    brokers: broker.brokers,
    clientId: `tracing-test-${runId}`,
    topicPrefix,
    partitions: 1,
  });
  cleanups.push(() => publisher.close());
  relay = createOutboxRelay({
    prisma,
    publisher,
    log: createOutboxLogRepository(),
    batchSize: 50,
    concurrency: 1,
  });
  const started = startConsumers(config, clients);
  consumers.push(...started.consumers);

  const api = buildApi(config, clients);
  cleanups.push(() => api.close());
  app = api.app;
});

afterAll(async () => {
  for (const consumer of consumers) await consumer.stop();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await broker?.destroy();
  await scratch?.drop();
  await tracing?.shutdown();
});

// ── the trace ─────────────────────────────────────────────────────────────────────────────────

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

/** What keeps `spans` from being one connected trace: empty when it is one. */
function traceProblems(trace: ReadableSpan[]): string[] {
  const problems: string[] = [];
  const traceIds = new Set(trace.map(traceOf));
  if (traceIds.size !== 1) problems.push(`${traceIds.size} trace ids: ${[...traceIds].join(', ')}`);
  const ids = new Set(trace.map(idOf));
  const roots = trace.filter((span) => span.parentSpanId === undefined);
  if (roots.length !== 1) problems.push(`${roots.length} roots: ${roots.map((s) => s.name)}`);
  for (const span of trace) {
    if (span.parentSpanId !== undefined && !ids.has(span.parentSpanId)) {
      problems.push(`${span.name} has a parent outside the trace`);
    }
  }
  return problems;
}

/** The spans as an indented tree, for failure messages. */
function spanTree(trace: ReadableSpan[]): string {
  const children = new Map<string | undefined, ReadableSpan[]>();
  const ids = new Set(trace.map(idOf));
  for (const span of trace) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      const group = span.attributes['messaging.consumer.group.name'];
      lines.push(`${'  '.repeat(depth)}${span.name}${group ? ` [${String(group)}]` : ''}`);
      walk(idOf(span), depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}

/** Spans of the order, wherever they came from, whether or not they joined its trace. */
function spansOfOrder(orderId: string): ReadableSpan[] {
  const workflowId = orderWorkflowId(orderId);
  return spans.getFinishedSpans().filter((span) => {
    const { attributes } = span;
    return (
      (span.kind === SpanKind.SERVER && attributes['url.path'] === '/orders') ||
      attributes.temporalWorkflowId === workflowId ||
      attributes.workflowId === workflowId ||
      attributes['messaging.kafka.message.key'] === orderId
    );
  });
}

// ── the test ──────────────────────────────────────────────────────────────────────────────────

describe('tracing', () => {
  it('one order is one connected trace: HTTP → workflow start → workflow → activities → consumers', async () => {
    const sku = `TR-${randomUUID()}`;
    await prisma.product.create({
      data: { sku, name: `tracing ${sku}`, priceCents: 1_000, stockOnHand: 5 },
    });
    const orderId = `tr-${randomUUID()}`;
    const response = await app.request('/orders?wait=true', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
      body: JSON.stringify({
        customerId: 'customer-tracing',
        items: [{ sku, quantity: 1 }],
        paymentToken: 'tok_visa',
      }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'CONFIRMED' });

    const events = await prisma.outboxEvent.findMany({
      where: { aggregateId: orderId },
      orderBy: { sequence: 'asc' },
    });
    expect(events.map((event) => event.eventType)).toEqual(Object.keys(WRITER_OF));
    for (const event of events) expect(event.traceContext).toMatch(/^00-[0-9a-f]{32}-/);
    expect(await relay.drain()).toBe(events.length);

    const isConsumerSpan = (span: ReadableSpan) => span.kind === SpanKind.CONSUMER;
    const expectedSpans = events.length * consumers.length;
    const orderSpans = await waitUntil(
      'the consumers and the workflow to end their spans',
      async () => {
        const found = spansOfOrder(orderId);
        const consumed = found.filter(isConsumerSpan).length;
        const ran = found.some((span) => span.name === 'RunWorkflow:orderSaga');
        return consumed >= expectedSpans && ran ? found : undefined;
      },
      60_000,
    );
    const root = orderSpans.find((span) => span.name === 'POST /orders');
    expect(root, spanTree(orderSpans)).toBeDefined();
    expect(root!.kind).toBe(SpanKind.SERVER);
    const trace = spans.getFinishedSpans().filter((span) => traceOf(span) === traceOf(root!));
    const tree = spanTree(trace);

    // Every span of the order joined the HTTP request's trace, and that trace hangs together.
    expect(
      orderSpans.filter((span) => traceOf(span) !== traceOf(root!)).map((s) => s.name),
      tree,
    ).toEqual([]);
    expect(traceProblems(trace), tree).toEqual([]);
    expect(root!.parentSpanId).toBeUndefined();

    const named = (name: string) => {
      const found = trace.filter((span) => span.name === name);
      expect(found, `${name} in\n${tree}`).toHaveLength(1);
      return found[0]!;
    };
    const parentOf = (span: ReadableSpan) => trace.find((s) => idOf(s) === span.parentSpanId);
    const start = named('StartWorkflow:orderSaga');
    const run = named('RunWorkflow:orderSaga');
    expect(parentOf(start)).toBe(root);
    expect(parentOf(run)).toBe(start);
    for (const activity of Object.values(WRITER_OF)) {
      const scheduled = named(`StartActivity:${activity}`);
      expect(parentOf(scheduled)).toBe(run);
      expect(parentOf(named(`RunActivity:${activity}`))).toBe(scheduled);
    }
    // Each consumer continues the span of the activity that committed the event.
    for (const event of events) {
      const processed = trace.filter(
        (span) => isConsumerSpan(span) && span.attributes['messaging.message.id'] === event.id,
      );
      expect(
        processed.map((span) => span.attributes['messaging.consumer.group.name']).sort(),
        `${event.eventType} in\n${tree}`,
      ).toEqual(consumers.map((consumer) => consumer.groupId).sort());
      for (const span of processed) {
        expect(span.name).toBe(`process ${topicPrefix}.order`);
        expect(span.attributes['saga.consumer.outcome']).toBe('applied');
        expect(parentOf(span)?.name).toBe(`RunActivity:${WRITER_OF[event.eventType]}`);
      }
    }

    // The check itself: a consumer that started a trace of its own is caught.
    const consumerSpan = trace.find(isConsumerSpan)!;
    const detached: ReadableSpan = {
      ...consumerSpan,
      parentSpanId: undefined,
      spanContext: () => ({ ...consumerSpan.spanContext(), traceId: 'f'.repeat(32) }),
    };
    expect(traceProblems(trace.map((span) => (span === consumerSpan ? detached : span)))).toEqual([
      expect.stringMatching(/^2 trace ids/),
      expect.stringMatching(/^2 roots/),
    ]);
  }, 120_000);
});
