import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startKafkaBroker, type KafkaBroker, createScratchDatabase } from '../support/harness.js';

const databaseUrl = inject('stackEnv').DATABASE_URL!;

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  values: unknown[] = [],
) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** The first message of `topic`, read by a new consumer group from the beginning. */
async function firstMessage(kafka: Kafka, topic: string): Promise<string> {
  // A short fetch long-poll, so disconnecting does not wait out the default 5 s one.
  const consumer = kafka.consumer({ groupId: `probe-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let deliver: (value: string) => void = () => {};
    const received = new Promise<string>((resolve) => (deliver = resolve));
    await consumer.run({ eachMessage: async ({ message }) => deliver(String(message.value)) });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no message consumed within 30 s')), 30_000).unref(),
    );
    return await Promise.race([received, timeout]);
  } finally {
    await consumer.disconnect();
  }
}

describe('createScratchDatabase', () => {
  it('creates a migrated database, and drop() removes it despite an open connection', async () => {
    const scratch = await createScratchDatabase(databaseUrl, 'support_probe');
    const name = new URL(scratch.url).pathname.slice(1);
    expect(name).toMatch(/^support_probe_[0-9a-f]{12}$/);

    const [table] = await query<{ found: string | null }>(
      scratch.url,
      "SELECT to_regclass('outbox_events')::text AS found",
    );
    expect(table?.found).toBe('outbox_events');

    const leftOpen = new pg.Client({ connectionString: scratch.url });
    leftOpen.on('error', () => {}); // it is terminated by drop(), as intended
    await leftOpen.connect();
    await scratch.drop();

    const exists = await query(databaseUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    expect(exists).toEqual([]);
    await leftOpen.end().catch(() => {});
  });
});

describe('startKafkaBroker', () => {
  let broker: KafkaBroker | undefined;

  afterAll(async () => {
    await broker?.destroy();
  });

  it('keeps its messages across stop() and start(), and refuses produces while stopped', async () => {
    broker = await startKafkaBroker();
    const kafka = new Kafka({
      clientId: 'test-support',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      retry: { retries: 5 },
    });
    // No retries and short timeouts: while the broker is down, a produce must fail, not wait.
    const impatient = new Kafka({
      clientId: 'test-support-impatient',
      brokers: broker.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      requestTimeout: 1_000,
      retry: { retries: 0 },
    });
    const topic = `support-probe-${randomUUID()}`;
    const value = `value-${randomUUID()}`;

    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = impatient.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ value }] });
    expect(await firstMessage(kafka, topic)).toBe(value);

    await broker.stop();
    const attempted = Date.now();
    await expect(producer.send({ topic, messages: [{ value: 'lost' }] })).rejects.toThrow();
    expect(Date.now() - attempted).toBeLessThan(5_000);
    await producer.disconnect();

    await broker.start();
    expect(await firstMessage(kafka, topic)).toBe(value);

    await broker.destroy();
    broker = undefined;
  }, 180_000);
});
