import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const brokers = inject('stackEnv').KAFKA_BROKERS!.split(',');

describe('Kafka broker', () => {
  const kafka = new Kafka({
    clientId: 'stack-kafka-test',
    brokers,
    logLevel: logLevel.ERROR,
    connectionTimeout: 3_000,
    retry: { retries: 3 },
  });
  const topic = `stack-probe-${randomUUID()}`;
  const groupId = `stack-probe-${randomUUID()}`;
  let admin: Admin;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await producer?.disconnect();
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  it('is reached on loopback addresses, as the local stack advertises it', () => {
    for (const broker of brokers) expect(broker).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('round-trips a message through a new topic and a new consumer group', async () => {
    expect(
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
        waitForLeaders: true,
      }),
    ).toBe(true);

    const value = `value-${randomUUID()}`;
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'probe', value }] });

    // A short fetch long-poll, so disconnecting does not wait out the default 5 s one.
    consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let deliver: (value: string) => void = () => {};
    const received = new Promise<string>((resolve) => (deliver = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => deliver(message.value?.toString() ?? ''),
    });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no message consumed within 30 s')), 30_000).unref(),
    );
    expect(await Promise.race([received, timeout])).toBe(value);

    const offsets = await admin.fetchTopicOffsets(topic);
    expect(offsets.map((o) => o.high)).toEqual(['1']);
  });
});
