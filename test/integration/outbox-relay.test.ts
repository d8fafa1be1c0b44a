import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENT_HEADERS, parseEnvelope, topicFor } from '../../activities/outbox/event-envelope.js';
import { createKafkaPublisher } from '../../activities/outbox/kafka.publisher.js';
import { ensureTopics } from '../../activities/outbox/kafka.topics.js';
import { createOutboxLogRepository } from '../../activities/outbox/event-log.repository.js';
import { createOutboxRelay } from '../../activities/outbox/relay.drain.js';
import { appendToOutbox } from '../../activities/outbox/outbox.appender.js';
import { listenForOutboxCommits } from '../../activities/outbox/relay.wakeups.js';
import { runRelayLoop, type RelayStatus } from '../../activities/outbox/relay.loop.js';
import { createPrismaClient, type PrismaClient } from '../../prisma/client.js';
import { waitUntil } from '../support/integration-helpers.js';
import {
  startKafkaBroker,
  type KafkaBroker,
  createScratchDatabase,
  type ScratchDatabase,
} from '../support/harness.js';
import {
  bookingSaga,
  commitSagas,
  eventCount,
  orderSaga,
  type SagaScript,
} from '../support/saga-events.js';
import { readerKafka, readTopics, watchTopics, type ReadMessage } from '../support/topic-reader.js';

/**
 * The outbox relay against a Postgres database and a Kafka broker of this file's own (the broker is
 * stopped in one test). Each test publishes to topics under a prefix of its own.
 */

const PARTITIONS = 3;
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const logger = pino({ level: 'silent' });
const runId = randomBytes(4).toString('hex');

let scratch: ScratchDatabase;
let broker: KafkaBroker;
let prisma: PrismaClient;
let kafka: Kafka;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  [scratch, broker] = await Promise.all([
    createScratchDatabase(inject('stackEnv').DATABASE_URL!, 'outbox_relay_test'),
    startKafkaBroker(),
  ]);
  prisma = createPrismaClient({ url: scratch.url, poolMax: 10 });
  kafka = readerKafka(broker.brokers);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await prisma?.$disconnect();
  await broker?.destroy();
  await scratch?.drop();
});

let topicPrefixes = 0;

/** A publisher and relay on a topic prefix of the test's own, whose topics already exist. */
async function relayOnOwnTopics({ client = prisma, batchSize = 50, concurrency = 1 } = {}) {
  const prefix = `relay-${runId}-${++topicPrefixes}`;
  const topics = ['order', 'booking'].map((type) => topicFor(prefix, type));
  await ensureTopics(kafka, topics, PARTITIONS);
  return { prefix, topics, ...relayOn(prefix, { client, batchSize, concurrency }) };
}

function relayOn(prefix: string, { client = prisma, batchSize = 50, concurrency = 1 } = {}) {
  const publisher = createKafkaPublisher({
    brokers: broker.brokers,
    clientId: `outbox-relay-test-${prefix}`,
    topicPrefix: prefix,
    partitions: PARTITIONS,
  });
  cleanups.push(() => publisher.close());
  const relay = createOutboxRelay({
    prisma: client,
    publisher,
    log: createOutboxLogRepository(),
    batchSize,
    concurrency,
  });
  return { publisher, relay };
}

interface OutboxRow {
  id: string;
  sequence: bigint;
  aggregate_type: string;
  aggregate_id: string;
  event_type: string;
  correlation_id: string | null;
  trace_context: string | null;
  published_at: Date | null;
  log_sequence: bigint | null;
}

/** The sagas' outbox rows, in insertion order. */
const rowsOf = (sagas: SagaScript[]) =>
  prisma.$queryRaw<OutboxRow[]>`
    SELECT id::text, sequence, aggregate_type, aggregate_id, event_type, correlation_id,
           trace_context, published_at, log_sequence
    FROM outbox_events WHERE aggregate_id = ANY(${sagas.map((saga) => saga.aggregateId)})
    ORDER BY sequence`;

/** Log positions are handed out without gaps across the whole database. */
async function expectGapFreeLog() {
  const [log] = await prisma.$queryRaw<{ numbered: bigint; first: bigint; last: bigint }[]>`
    SELECT count(log_sequence) AS numbered, min(log_sequence) AS first, max(log_sequence) AS last
    FROM outbox_events`;
  expect(log!.first).toBe(1n);
  expect(log!.last).toBe(log!.numbered);
}

const eventIdOf = (message: ReadMessage) => message.headers[EVENT_HEADERS.eventId]!;

/** How many messages repeat an event id an earlier message already carried. */
const duplicatesIn = (messages: ReadMessage[]) =>
  messages.length - new Set(messages.map(eventIdOf)).size;

/**
 * Every row is in Kafka as the relay promises (topic, key, headers, body), and each aggregate's
 * events sit on one partition in the order they were committed (first deliveries; a redelivered
 * duplicate may follow).
 */
function expectDelivered(rows: OutboxRow[], messages: ReadMessage[], prefix: string) {
  const byId = new Map<string, ReadMessage>();
  for (const message of messages)
    if (!byId.has(eventIdOf(message))) byId.set(eventIdOf(message), message);
  for (const row of rows) {
    const message = byId.get(row.id);
    expect(message, `event ${row.event_type} ${row.id} in Kafka`).toBeDefined();
    expect(message!.topic).toBe(`${prefix}.${row.aggregate_type}`);
    expect(message!.key).toBe(row.aggregate_id);
    expect(message!.headers).toEqual({
      [EVENT_HEADERS.eventId]: row.id,
      [EVENT_HEADERS.eventType]: row.event_type,
      [EVENT_HEADERS.schemaVersion]: '1',
      [EVENT_HEADERS.aggregateType]: row.aggregate_type,
      [EVENT_HEADERS.outboxSequence]: row.sequence.toString(),
      [EVENT_HEADERS.correlationId]: row.correlation_id!,
      ...(row.trace_context && { [EVENT_HEADERS.traceparent]: row.trace_context }),
    });
    expect(parseEnvelope(message!.value)).toMatchObject({
      id: row.id,
      outboxSequence: row.sequence.toString(),
      aggregateType: row.aggregate_type,
      aggregateId: row.aggregate_id,
      eventType: row.event_type,
      correlationId: row.correlation_id,
    });
  }

  const committed = new Map<string, string[]>();
  for (const row of rows) {
    committed.set(row.aggregate_id, [...(committed.get(row.aggregate_id) ?? []), row.id]);
  }
  // `messages` is in offset order per partition.
  const delivered = new Map<string, { partitions: Set<number>; ids: string[] }>();
  for (const message of messages) {
    const seen = delivered.get(message.key!) ?? { partitions: new Set(), ids: [] };
    seen.partitions.add(message.partition);
    if (!seen.ids.includes(eventIdOf(message))) seen.ids.push(eventIdOf(message));
    delivered.set(message.key!, seen);
  }
  for (const [aggregateId, ids] of committed) {
    expect(delivered.get(aggregateId)?.partitions.size, aggregateId).toBe(1);
    expect(delivered.get(aggregateId)?.ids, `${aggregateId} in commit order`).toEqual(ids);
  }
}

/** A mix of sagas as the workers produce them: confirmed, failed, refunded, expired. */
const mixedSagas = () => [
  orderSaga('confirmed', { customerId: 'cust-ada' }),
  orderSaga('confirmed', { customerId: 'cust-ada' }),
  orderSaga('confirmed', { customerId: 'cust-bob' }),
  orderSaga('out-of-stock', { customerId: 'cust-bob' }),
  orderSaga('payment-declined', { customerId: 'cust-cy' }),
  bookingSaga('confirmed', { customerId: 'cust-ada', seats: 2 }),
  bookingSaga('confirmed', { customerId: 'cust-cy', seats: 4 }),
  bookingSaga('refunded', { customerId: 'cust-bob' }),
  bookingSaga('expired', { customerId: 'cust-dee' }),
];

describe('outbox relay', () => {
  it('publishes every committed event with its key, topic and headers, in order per aggregate, and numbers the log in publish order', async () => {
    const { prefix, topics, relay } = await relayOnOwnTopics({ batchSize: 7 });
    const traced = orderSaga('confirmed', { customerId: 'cust-eve' });
    const sagas = [traced, ...mixedSagas()];
    // The traced saga's first step carries a W3C traceparent, as appendToOutbox writes it under an
    // active OpenTelemetry span (no SDK is registered here, so it is set directly).
    await prisma.$transaction(async (tx) => {
      await appendToOutbox(tx, traced.correlationId, ...traced.steps[0]!);
      await tx.$executeRaw`
        UPDATE outbox_events SET trace_context = ${TRACEPARENT}
        WHERE aggregate_id = ${traced.aggregateId}`;
    });
    await commitSagas(prisma, [traced], { from: 1 });
    await commitSagas(prisma, sagas.slice(1));
    const total = eventCount(sagas);

    expect(await relay.drain()).toBe(total);

    const rows = await rowsOf(sagas);
    expect(rows).toHaveLength(total);
    expect(rows.filter((row) => row.published_at === null)).toEqual([]);
    const messages = await readTopics(kafka, topics);
    expect(messages).toHaveLength(total);
    expectDelivered(rows, messages, prefix);
    expect(messages.filter((m) => m.headers[EVENT_HEADERS.traceparent] === TRACEPARENT)).toEqual([
      expect.objectContaining({ key: traced.aggregateId }),
    ]);

    // One lane publishes batch after batch, so publish order is insertion order here.
    const inLogOrder = [...rows].sort((a, b) => Number(a.log_sequence! - b.log_sequence!));
    expect(inLogOrder.map((row) => row.id)).toEqual(rows.map((row) => row.id));
    const first = inLogOrder[0]!.log_sequence!;
    expect(inLogOrder.map((row) => row.log_sequence)).toEqual(
      inLogOrder.map((_, i) => first + BigInt(i)),
    );
    const publishedAt = inLogOrder.map((row) => row.published_at!.getTime());
    expect(publishedAt).toEqual([...publishedAt].sort((a, b) => a - b));
    await expectGapFreeLog();
  });

  it('leaves an event of an open transaction alone, publishing what committed after it, and publishes it once committed', async () => {
    const { prefix, topics, relay } = await relayOnOwnTopics();
    const open = orderSaga('confirmed');
    const later = bookingSaga('confirmed');
    let inserted!: () => void;
    let commit!: () => void;
    const insertedOpen = new Promise<void>((resolve) => (inserted = resolve));
    const committing = new Promise<void>((resolve) => (commit = resolve));
    const openTransaction = prisma.$transaction(
      async (tx) => {
        await appendToOutbox(tx, open.correlationId, ...open.steps[0]!);
        inserted();
        await committing;
      },
      { timeout: 60_000 },
    );
    try {
      await insertedOpen;
      expect(await relay.drain()).toBe(0);

      // Committed later, but with a higher sequence than the open one.
      await commitSagas(prisma, [later], { to: 1 });
      expect(await relay.drain()).toBe(1);
      expect((await readTopics(kafka, topics)).map((m) => m.key)).toEqual([later.aggregateId]);
    } finally {
      commit();
      await openTransaction;
    }

    expect(await relay.drain()).toBe(1);
    const rows = await rowsOf([open, later]);
    expect(rows.map((row) => row.aggregate_id)).toEqual([open.aggregateId, later.aggregateId]);
    // The log numbers events as they are published, not as they were inserted.
    expect(rows[0]!.log_sequence! > rows[1]!.log_sequence!).toBe(true);
    const messages = await readTopics(kafka, topics);
    expect(messages).toHaveLength(2);
    expectDelivered(rows, messages, prefix);
    await expectGapFreeLog();
  });

  it('is woken by LISTEN/NOTIFY when an event commits, long before its poll interval', async () => {
    const { topics, relay, publisher } = await relayOnOwnTopics();
    const wakeups = listenForOutboxCommits(scratch.url, logger);
    const stop = new AbortController();
    const statuses: RelayStatus[] = [];
    const loop = runRelayLoop({
      relay,
      publisher,
      wakeups,
      signal: stop.signal,
      pollIntervalMs: 60_000,
      maxBackoffMs: 1_000,
      logger,
      onStatus: (status) => statuses.push(status),
    });
    const watcher = await watchTopics(kafka, topics);
    try {
      // Idle twice: after the first drain and after the drain that LISTEN's own connect triggers,
      // so the loop now waits for a notification (or 60 s).
      await waitUntil('the loop idle with LISTEN connected', async () =>
        statuses.filter((status) => status.state === 'idle').length >= 2 ? true : undefined,
      );
      const saga = orderSaga('confirmed');
      await commitSagas(prisma, [saga], { to: 1 });

      await watcher.until(
        'the new event in Kafka',
        (messages) => messages.some((m) => m.key === saga.aggregateId),
        15_000,
      );
      await waitUntil('the relay to count it', async () =>
        statuses.at(-1)?.publishedThisRun === 1 ? true : undefined,
      );
    } finally {
      stop.abort();
      await loop;
      await wakeups.close();
      await watcher.stop();
    }
  });

  it('two relays draining at once publish every event once, in order per aggregate', async () => {
    const prefix = `relay-${runId}-${++topicPrefixes}`;
    const topics = ['order', 'booking'].map((type) => topicFor(prefix, type));
    await ensureTopics(kafka, topics, PARTITIONS);
    const otherPrisma = createPrismaClient({ url: scratch.url, poolMax: 10 });
    cleanups.push(() => otherPrisma.$disconnect());
    const relays = [
      relayOn(prefix, { client: prisma, batchSize: 100, concurrency: 2 }).relay,
      relayOn(prefix, { client: otherPrisma, batchSize: 100, concurrency: 2 }).relay,
    ];
    const outcomes = ['confirmed', 'confirmed', 'payment-declined'] as const;
    const sagas = Array.from({ length: 1_024 }, (_, i) =>
      i % 4 < 3 ? orderSaga(outcomes[i % 4]!) : bookingSaga(i % 8 === 3 ? 'confirmed' : 'refunded'),
    );
    // Sixteen sagas at a time run side by side, so an aggregate's events sit a few dozen rows
    // apart: its next event is often in the batch another lane claims at the same time.
    let total = 0;
    for (let start = 0; start < sagas.length; start += 16) {
      total += await commitSagas(prisma, sagas.slice(start, start + 16));
    }
    expect(total).toBe(eventCount(sagas));
    expect(total).toBeGreaterThan(4_900);

    const drained = await Promise.all(relays.map((relay) => relay.drain()));
    // A lane stops at its first empty claim, and a claim comes back empty while the rest is locked
    // by the other relay's batches; what such a race leaves waits for the next wakeup.
    const leftOver = await relays[0]!.drain();
    expect(drained.every((published) => published > 0)).toBe(true);
    expect(drained[0]! + drained[1]! + leftOver).toBe(total);
    if (leftOver > 0) console.info(`[two relays] ${leftOver} event(s) left for the next drain`);

    const rows = await rowsOf(sagas);
    expect(rows.filter((row) => row.published_at === null)).toEqual([]);
    const messages = await readTopics(kafka, topics, 120_000);
    const duplicates = duplicatesIn(messages);
    if (duplicates > 0) console.info(`[two relays] ${duplicates} duplicate message(s)`);
    expect(new Set(messages.map(eventIdOf)).size).toBe(total);
    expect(duplicates).toBe(0);
    expectDelivered(rows, messages, prefix);
    await expectGapFreeLog();
  }, 180_000);

  it('backs off while Kafka is down, marking nothing published, and drains the backlog once it is back', async () => {
    const { prefix, topics, relay, publisher } = await relayOnOwnTopics({ batchSize: 10 });
    // Published while Kafka is up, so the relay's producer is connected when the broker dies.
    const before = orderSaga('confirmed');
    await commitSagas(prisma, [before], { to: 1 });
    expect(await relay.drain()).toBe(1);

    await broker.stop();
    let brokerDown = true;
    const wakeups = listenForOutboxCommits(scratch.url, logger);
    const stop = new AbortController();
    const statuses: RelayStatus[] = [];
    let loop: Promise<RelayStatus> | undefined;
    const sagas = mixedSagas();
    try {
      await commitSagas(prisma, [before], { from: 1 });
      await commitSagas(prisma, sagas);
      loop = runRelayLoop({
        relay,
        publisher,
        wakeups,
        signal: stop.signal,
        pollIntervalMs: 500,
        maxBackoffMs: 2_000,
        probeIntervalMs: 200,
        logger,
        onStatus: (status) => statuses.push(status),
      });

      // Failed, and failed again after its backoff.
      const backingOff = await waitUntil(
        'the relay backing off twice',
        async () => statuses.find((s) => s.state === 'backing-off' && s.attempt >= 2),
        60_000,
      );
      expect(backingOff.lastError).toMatch(/^KafkaJS/);
      expect(backingOff.failingSince).not.toBeNull();
      expect(backingOff.nextAttemptAt).not.toBeNull();
      expect(statuses.some((s) => s.state === 'idle' && s.publishedThisRun > 0)).toBe(false);
      const stalled = await rowsOf([before, ...sagas]);
      expect(stalled.filter((row) => row.published_at !== null).map((row) => row.id)).toEqual([
        stalled[0]!.id,
      ]);
      expect(stalled.filter((row) => row.log_sequence !== null)).toHaveLength(1);

      await broker.start();
      brokerDown = false;
      await waitUntil(
        'the backlog published',
        async () =>
          (await rowsOf([before, ...sagas])).every((row) => row.published_at !== null)
            ? true
            : undefined,
        90_000,
      );
      const recovered = await waitUntil(
        'the relay idle again',
        async () => (statuses.at(-1)?.state === 'idle' ? statuses.at(-1) : undefined),
        30_000,
      );
      expect(recovered).toMatchObject({ lastError: null, failingSince: null, attempt: 0 });
      expect(recovered.publishedThisRun).toBe(eventCount([before, ...sagas]) - 1);
    } finally {
      stop.abort();
      await loop;
      await wakeups.close();
      if (brokerDown) await broker.start();
    }

    const rows = await rowsOf([before, ...sagas]);
    const messages = await readTopics(kafka, topics);
    const duplicates = duplicatesIn(messages);
    if (duplicates > 0) console.info(`[Kafka down] ${duplicates} duplicate message(s)`);
    expect(new Set(messages.map(eventIdOf)).size).toBe(rows.length);
    expectDelivered(rows, messages, prefix);
    await expectGapFreeLog();
  }, 180_000);
  // Last in this file: it leaves gaps in the log that the gap-free checks above would trip on.
  it('retention removes published events older than the cutoff and never an unpublished one', async () => {
    const log = createOutboxLogRepository();
    const { relay } = await relayOnOwnTopics();
    const [old, recent] = [orderSaga('confirmed'), orderSaga('confirmed')];
    await commitSagas(prisma, [old, recent]);
    await relay.drain();
    await backdate(old.aggregateId);
    const pending = orderSaga('confirmed');
    await commitSagas(prisma, [pending]);
    await backdate(pending.aggregateId, { unpublishedToo: true });

    const removed = await log.deletePublishedBefore(prisma, new Date(Date.now() - 86_400_000));

    expect(removed).toBe(eventCount([old]));
    const left = await prisma.outboxEvent.groupBy({
      by: ['aggregateId'],
      where: { aggregateId: { in: [old.aggregateId, recent.aggregateId, pending.aggregateId] } },
      _count: true,
    });
    expect(Object.fromEntries(left.map((row) => [row.aggregateId, row._count]))).toEqual({
      [recent.aggregateId]: eventCount([recent]),
      [pending.aggregateId]: eventCount([pending]),
    });
  });
});

/** Makes an aggregate's events look two days old (published ones, or all of them). */
async function backdate(aggregateId: string, { unpublishedToo = false } = {}) {
  await prisma.$executeRaw`
    UPDATE outbox_events
    SET occurred_at = now() - interval '2 days',
        published_at = CASE WHEN published_at IS NULL THEN NULL ELSE now() - interval '2 days' END
    WHERE aggregate_id = ${aggregateId} AND (${unpublishedToo} OR published_at IS NOT NULL)`;
}
