import { randomBytes, randomUUID } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  EVENT_HEADERS,
  topicFor,
  type EventEnvelope,
} from '../../activities/outbox/event-envelope.js';
import { createKafka, createKafkaPublisher } from '../../activities/outbox/kafka.publisher.js';
import { ensureTopics } from '../../activities/outbox/kafka.topics.js';
import { createOutboxLogRepository } from '../../activities/outbox/event-log.repository.js';
import { createOutboxRelay } from '../../activities/outbox/relay.drain.js';
import { createPrismaClient, type PrismaClient } from '../../prisma/client.js';
import {
  createScratchDatabase,
  type ScratchDatabase,
  startKafkaBroker,
  type KafkaBroker,
} from '../support/harness.js';
import { loyaltyProjection } from '../../activities/projections/loyalty.projection.js';
import { sagaViewProjection } from '../../activities/projections/saga-view.projection.js';
import { DEAD_LETTER_HEADERS, deadLetterTopic } from '../../activities/projections/dead-letters.js';
import {
  startProjectionConsumer,
  type ProjectionConsumer,
} from '../../activities/projections/projection.consumer.js';
import type { Projection } from '../../activities/projections/projection.js';
import { waitUntil } from '../support/integration-helpers.js';
import {
  bookingSaga,
  commitSagas,
  eventCount,
  expectedBalances,
  orderSaga,
  type SagaScript,
  type StepRange,
} from '../support/saga-events.js';
import { startTcpSwitch } from '../support/tcp-switch.js';
import { caughtUp, readerKafka, readTopics } from '../support/topic-reader.js';

/**
 * The loyalty and order-view consumers, fed by the real relay through a Kafka broker of this file's
 * own, writing to a database of its own. Each test publishes to topics under a prefix of its own
 * and consumes with groups of its own (state rows are keyed by group).
 */

const PARTITIONS = 3;
const MAX_ATTEMPTS = 3;
const logger = pino({ level: 'silent' });
const runId = randomBytes(4).toString('hex');

let scratch: ScratchDatabase;
let broker: KafkaBroker;
let prisma: PrismaClient;
/** For the test's own reads and writes. */
let kafka: Kafka;
/** The consumers', configured as the consumer worker configures it. */
let consumerKafka: Kafka;
const running = new Set<ProjectionConsumer>();
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  [scratch, broker] = await Promise.all([
    createScratchDatabase(inject('stackEnv').DATABASE_URL!, 'event_consumers_test'),
    startKafkaBroker(),
  ]);
  prisma = createPrismaClient({ url: scratch.url, poolMax: 10 });
  kafka = readerKafka(broker.brokers);
  consumerKafka = createKafka(broker.brokers, 'event-consumers-test');
});

afterAll(async () => {
  for (const consumer of running) await consumer.stop();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await prisma?.$disconnect();
  await broker?.destroy();
  await scratch?.drop();
});

let worlds = 0;

/** Topics of the test's own, the relay publishing to them, and consumers reading them. */
async function ownTopics({ partitions = PARTITIONS } = {}) {
  const world = ++worlds;
  const prefix = `consumers-${runId}-${world}`;
  const topics = ['order', 'booking'].map((type) => topicFor(prefix, type));
  await ensureTopics(kafka, topics, partitions);
  const publisher = createKafkaPublisher({
    brokers: broker.brokers,
    clientId: `event-consumers-test-${prefix}`,
    topicPrefix: prefix,
    partitions,
  });
  cleanups.push(() => publisher.close());
  const relay = createOutboxRelay({
    prisma,
    publisher,
    log: createOutboxLogRepository(),
    batchSize: 50,
    concurrency: 1,
  });

  return {
    prefix,
    topics,
    /** Commits the sagas' steps to the outbox and relays them to Kafka; returns how many. */
    async publish(sagas: SagaScript[], range: StepRange = {}) {
      const committed = await commitSagas(prisma, sagas, range);
      expect(committed).toBe(eventCount(sagas, range));
      expect(await relay.drain()).toBe(committed);
      return committed;
    },
    consume(projection: Projection, groupId: string, client = prisma) {
      const consumer = startProjectionConsumer({
        kafka: consumerKafka,
        prisma: client,
        projection,
        groupId: `${groupId}-${world}`,
        topicPrefix: prefix,
        partitions,
        maxAttempts: MAX_ATTEMPTS,
        logger,
      });
      running.add(consumer);
      return consumer;
    },
    /** Waits until the group committed everything the topics hold (so its state is final). */
    async settled(consumer: ProjectionConsumer, timeoutMs = 60_000) {
      await waitUntil(
        `${consumer.groupId} to catch up`,
        async () => ((await caughtUp(kafka, consumer.groupId, topics)) ? true : undefined),
        timeoutMs,
      );
    },
    async stop(consumer: ProjectionConsumer) {
      await consumer.stop();
      running.delete(consumer);
    },
  };
}

const balancesOf = async (consumer: string) =>
  Object.fromEntries(
    (await prisma.loyaltyAccount.findMany({ where: { consumer } })).map((account) => [
      account.customerId,
      account.points,
    ]),
  );

const awardsOf = async (consumer: string) =>
  Object.fromEntries(
    (await prisma.loyaltyAward.findMany({ where: { consumer } })).map((award) => [
      award.aggregateId,
      award.status,
    ]),
  );

const viewsOf = async (consumer: string) =>
  new Map(
    (await prisma.orderView.findMany({ where: { consumer } })).map((view) => [
      view.aggregateId,
      view,
    ]),
  );

/** Every row a consumer owns, timestamps included. */
const stateOf = async (consumer: string) => ({
  accounts: await prisma.loyaltyAccount.findMany({
    where: { consumer },
    orderBy: { customerId: 'asc' },
  }),
  awards: await prisma.loyaltyAward.findMany({
    where: { consumer },
    orderBy: [{ aggregateType: 'asc' }, { aggregateId: 'asc' }],
  }),
  views: await prisma.orderView.findMany({
    where: { consumer },
    orderBy: [{ aggregateType: 'asc' }, { aggregateId: 'asc' }],
  }),
  processed: await prisma.processedEvent.count({ where: { consumer } }),
});

/** A consumer's read-model rows without what differs between two consumers of the same events. */
async function readModelOf(consumer: string) {
  const { accounts, awards, views } = await stateOf(consumer);
  const strip = <T extends { consumer: string; updatedAt: Date }>({
    consumer: _consumer,
    updatedAt: _updatedAt,
    ...rest
  }: T) => rest;
  return { accounts: accounts.map(strip), awards: awards.map(strip), views: views.map(strip) };
}

/** One customer's history across both sagas, plus others'. */
const customerSagas = () => [
  orderSaga('confirmed', { customerId: 'cust-ada' }),
  bookingSaga('confirmed', { customerId: 'cust-ada', seats: 2 }),
  orderSaga('confirmed', { customerId: 'cust-bob' }),
  orderSaga('out-of-stock', { customerId: 'cust-bob' }),
  bookingSaga('refunded', { customerId: 'cust-bob', seats: 3 }),
  orderSaga('payment-declined', { customerId: 'cust-cy' }),
  bookingSaga('expired', { customerId: 'cust-cy' }),
  bookingSaga('refunded', { customerId: 'cust-dee', seats: 1 }),
];

/** Many customers, each with a few sagas of every kind. */
const manySagas = (customers: number) =>
  Array.from({ length: customers }, (_, i) => {
    const customerId = `cust-${i}`;
    return [
      orderSaga('confirmed', { customerId }),
      orderSaga(i % 2 ? 'payment-declined' : 'out-of-stock', { customerId }),
      bookingSaga(i % 3 ? 'confirmed' : 'refunded', { customerId, seats: 1 + (i % 4) }),
      bookingSaga('expired', { customerId }),
    ];
  }).flat();

describe('event consumers', () => {
  it('loyalty: confirmed orders and bookings earn points, refunded bookings lose them, failed and expired ones earn none', async () => {
    const world = await ownTopics();
    const sagas = customerSagas();
    const total = await world.publish(sagas);
    const loyalty = world.consume(loyaltyProjection, 'loyalty');
    await world.settled(loyalty);

    // Orders: 1 × 89.99 + 2 × 24.50 = 138.99 → 138 points; bookings: 42.50 a seat.
    expect(await balancesOf(loyalty.groupId)).toEqual({
      'cust-ada': 138 + 85,
      'cust-bob': 138,
      'cust-dee': 0,
    });
    expect(await balancesOf(loyalty.groupId)).toEqual(expectedBalances(sagas));
    expect(await awardsOf(loyalty.groupId)).toEqual(
      Object.fromEntries(sagas.map((saga) => [saga.aggregateId, saga.expected.award])),
    );
    expect(loyalty.stats).toEqual({ applied: total, duplicates: 0, deadLettered: 0 });
  });

  it('order view: the latest status and facts of every order and booking', async () => {
    const world = await ownTopics();
    const sagas = customerSagas();
    await world.publish(sagas);
    const view = world.consume(sagaViewProjection, 'order-view');
    await world.settled(view);

    const views = await viewsOf(view.groupId);
    expect([...views.keys()].sort()).toEqual(sagas.map((saga) => saga.aggregateId).sort());
    for (const saga of sagas) {
      expect(views.get(saga.aggregateId), saga.aggregateId).toMatchObject({
        aggregateType: saga.aggregateType,
        customerId: saga.customerId,
        totalCents: saga.totalCents,
        status: saga.expected.status,
        lastEventType: saga.expected.lastEventType,
        eventCount: eventCount([saga]),
      });
    }
    const [ada, adaBooking, , outOfStock, refunded, declined, expired] = sagas.map(
      (saga) => views.get(saga.aggregateId)!.details,
    );
    expect(ada).toMatchObject({ notified: true, chargeId: expect.any(String) });
    expect(adaBooking).toMatchObject({ notified: true, seats: 2 });
    expect(outOfStock).toMatchObject({ reason: 'out of stock: MS-002' });
    expect(refunded).toMatchObject({
      refunded: true,
      seatsReleased: true,
      refundId: expect.any(String),
    });
    expect(declined).toMatchObject({ inventoryReleased: true });
    expect(expired).toMatchObject({ seatsReleased: true, reason: 'the hold expired' });
    expect(view.stats.deadLettered).toBe(0);
  });

  it('events the relay publishes twice change nothing the second time, and are counted as duplicates', async () => {
    const world = await ownTopics();
    const sagas = customerSagas();
    const total = await world.publish(sagas);
    const consumers = [
      world.consume(loyaltyProjection, 'loyalty'),
      world.consume(sagaViewProjection, 'order-view'),
    ];
    for (const consumer of consumers) await world.settled(consumer);
    const before = await Promise.all(consumers.map((consumer) => stateOf(consumer.groupId)));
    expect(before.map((state) => state.processed)).toEqual([total, total]);

    // The whole segment again, as when the relay's commit fails after Kafka acknowledged a batch.
    const segment = await readTopics(kafka, world.topics);
    expect(segment).toHaveLength(total);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.sendBatch({
        acks: -1,
        topicMessages: world.topics.map((topic) => ({
          topic,
          messages: segment
            .filter((message) => message.topic === topic)
            .map(({ key, value, headers }) => ({ key, value, headers })),
        })),
      });
    } finally {
      await producer.disconnect();
    }
    for (const consumer of consumers) {
      await world.settled(consumer);
      expect(consumer.stats).toEqual({ applied: total, duplicates: total, deadLettered: 0 });
    }
    // Not a row touched: even `updated_at` and the views' event counts are as they were.
    expect(await Promise.all(consumers.map((c) => stateOf(c.groupId)))).toEqual(before);
  });

  it('a group sent back to the earliest offsets re-reads everything and changes nothing', async () => {
    const world = await ownTopics();
    const sagas = customerSagas();
    const total = await world.publish(sagas);
    const first = world.consume(sagaViewProjection, 'order-view');
    await world.settled(first);
    const before = await stateOf(first.groupId);
    expect(before.processed).toBe(total);
    await world.stop(first);

    // As after a crash between applying events and committing their offsets.
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of world.topics) {
        await admin.resetOffsets({ groupId: first.groupId, topic, earliest: true });
      }
    } finally {
      await admin.disconnect();
    }
    const again = world.consume(sagaViewProjection, 'order-view');
    expect(again.groupId).toBe(first.groupId);
    await world.settled(again);
    expect(again.stats).toEqual({ applied: 0, duplicates: total, deadLettered: 0 });
    expect(await stateOf(again.groupId)).toEqual(before);
  });

  it('a consumer created after everything was published builds the same read models as one that ran all along', async () => {
    const world = await ownTopics();
    const sagas = manySagas(25);
    const live = [
      world.consume(loyaltyProjection, 'loyalty-live'),
      world.consume(sagaViewProjection, 'order-view-live'),
    ];
    // Published step by step while the live consumers run.
    const steps = Math.max(...sagas.map((saga) => saga.steps.length));
    for (let step = 0; step < steps; step += 1) {
      await world.publish(sagas, { from: step, to: step + 1 });
    }
    for (const consumer of live) await world.settled(consumer);

    const late = [
      world.consume(loyaltyProjection, 'loyalty-late'),
      world.consume(sagaViewProjection, 'order-view-late'),
    ];
    for (const consumer of late) await world.settled(consumer);

    const [liveLoyalty, liveViews, lateLoyalty, lateViews] = await Promise.all(
      [...live, ...late].map((consumer) => readModelOf(consumer.groupId)),
    );
    expect(liveLoyalty!.accounts.length).toBeGreaterThan(0);
    expect(liveViews!.views).toHaveLength(sagas.length);
    expect(lateLoyalty).toEqual(liveLoyalty);
    expect(lateViews).toEqual(liveViews);
    expect(await balancesOf(late[0]!.groupId)).toEqual(expectedBalances(sagas));
  });

  it('a consumer that was down resumes from its committed offsets and applies only what is new', async () => {
    const world = await ownTopics();
    const started = manySagas(5);
    const later = customerSagas();
    const firstCount = await world.publish(started, { to: 2 });
    const before = world.consume(loyaltyProjection, 'loyalty');
    await world.settled(before);
    expect(before.stats.applied).toBe(firstCount);
    await world.stop(before);

    // While it is down: the started sagas finish, new ones run from start to end.
    const newCount = (await world.publish(started, { from: 2 })) + (await world.publish(later));
    const after = world.consume(loyaltyProjection, 'loyalty');
    await world.settled(after);

    expect(after.stats).toEqual({ applied: newCount, duplicates: 0, deadLettered: 0 });
    expect(await balancesOf(after.groupId)).toEqual(expectedBalances([...started, ...later]));
    expect(await prisma.processedEvent.count({ where: { consumer: after.groupId } })).toBe(
      firstCount + newCount,
    );
  });

  it('dead-letters a non-JSON message and an event its projection rejects, and goes on with the partition', async () => {
    // One partition: the poison sits between good events of the same partition.
    const world = await ownTopics({ partitions: 1 });
    const loyalty = world.consume(loyaltyProjection, 'loyalty');
    const before = customerSagas();
    const after = manySagas(3);
    const good = await world.publish(before);

    const ghostId = `ord-ghost-${randomUUID().slice(0, 8)}`;
    const ghost: EventEnvelope = {
      id: randomUUID(),
      outboxSequence: '999999999',
      aggregateType: 'order',
      aggregateId: ghostId,
      eventType: 'OrderConfirmed',
      schemaVersion: 1,
      payload: { orderId: ghostId },
      correlationId: `order:${ghostId}`,
      occurredAt: new Date().toISOString(),
    };
    const orderTopic = topicFor(world.prefix, 'order');
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const poison = [
      { key: 'ord-garbled', value: '{"id": "not-even-json', headers: {} },
      {
        key: ghostId,
        value: JSON.stringify(ghost),
        headers: { [EVENT_HEADERS.eventId]: ghost.id, [EVENT_HEADERS.eventType]: 'OrderConfirmed' },
      },
    ];
    const offsets: string[] = [];
    try {
      for (const message of poison) {
        const [sent] = await producer.send({ topic: orderTopic, acks: -1, messages: [message] });
        offsets.push(sent!.baseOffset!);
      }
    } finally {
      await producer.disconnect();
    }
    const alsoGood = await world.publish(after);
    await world.settled(loyalty);

    expect(loyalty.stats).toEqual({ applied: good + alsoGood, duplicates: 0, deadLettered: 2 });
    expect(await balancesOf(loyalty.groupId)).toEqual(expectedBalances([...before, ...after]));
    const dlq = await readTopics(kafka, [deadLetterTopic(world.prefix, loyalty.groupId)]);
    expect(dlq.map((m) => ({ key: m.key, value: m.value?.toString() }))).toEqual(
      poison.map(({ key, value }) => ({ key, value })),
    );
    const [garbled, rejected] = dlq.map((m) => m.headers);
    const origin = (offset: string) => ({
      [DEAD_LETTER_HEADERS.consumer]: loyalty.groupId,
      [DEAD_LETTER_HEADERS.topic]: orderTopic,
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: offset,
    });
    expect(garbled).toEqual({
      ...origin(offsets[0]!),
      [DEAD_LETTER_HEADERS.error]: 'MalformedEventError: message value is not JSON',
      // Retrying cannot make it JSON.
      [DEAD_LETTER_HEADERS.attempts]: '1',
    });
    expect(rejected).toEqual({
      ...origin(offsets[1]!),
      ...poison[1]!.headers,
      [DEAD_LETTER_HEADERS.error]: `LoyaltyOutOfOrderError: OrderConfirmed for ${ghostId} before it was placed`,
      [DEAD_LETTER_HEADERS.attempts]: String(MAX_ATTEMPTS),
    });
  });

  it('stop() called while the consumer is still starting leaves no consumer behind', async () => {
    const world = await ownTopics();
    const consumer = world.consume(loyaltyProjection, 'loyalty');
    await world.stop(consumer);

    // Long enough for a start that outlived stop() to join the group.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { groups } = await admin.describeGroups([consumer.groupId]);
      expect(groups[0]?.members).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it('does not dead-letter while its database is down, and applies everything once it is back', async () => {
    const world = await ownTopics();
    const database = new URL(scratch.url);
    const dbSwitch = await startTcpSwitch({
      host: database.hostname,
      port: Number(database.port || 5432),
    });
    cleanups.push(() => dbSwitch.close());
    database.host = `127.0.0.1:${dbSwitch.port}`;
    const switchedPrisma = createPrismaClient({ url: database.toString(), poolMax: 5 });
    cleanups.push(() => switchedPrisma.$disconnect());

    const loyalty = world.consume(loyaltyProjection, 'loyalty', switchedPrisma);
    const before = customerSagas();
    const during = manySagas(3);
    const firstCount = await world.publish(before);
    await world.settled(loyalty);

    dbSwitch.off();
    const duringCount = await world.publish(during);
    // It keeps trying: kafkajs redelivers (and restarts the consumer) while the database is away.
    const triedFrom = dbSwitch.refused;
    await waitUntil(
      'the consumer to try the database repeatedly',
      async () => (dbSwitch.refused >= triedFrom + 10 ? true : undefined),
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(loyalty.stats).toMatchObject({ applied: firstCount, deadLettered: 0 });
    expect(await caughtUp(kafka, loyalty.groupId, world.topics)).toBe(false);

    dbSwitch.on();
    await world.settled(loyalty, 90_000);
    expect(loyalty.stats).toEqual({
      applied: firstCount + duringCount,
      duplicates: 0,
      deadLettered: 0,
    });
    expect(await readTopics(kafka, [deadLetterTopic(world.prefix, loyalty.groupId)])).toEqual([]);
    expect(await balancesOf(loyalty.groupId)).toEqual(expectedBalances([...before, ...during]));
  }, 150_000);
});
