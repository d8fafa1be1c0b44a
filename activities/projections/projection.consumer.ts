import type { Tracer } from '@opentelemetry/api';
import type { Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { PrismaClient } from '../../prisma/client.js';
import { topicFor } from '../outbox/event-envelope.js';
import { ensureTopics } from '../outbox/kafka.topics.js';
import { deadLetterTopic } from './dead-letters.js';
import { inConsumerSpan } from './message-tracing.js';
import { createProjectionHandler, type ConsumerStats } from './projection.handler.js';
import type { Projection } from './projection.js';

export interface ProjectionConsumerOptions {
  kafka: Kafka;
  prisma: PrismaClient;
  projection: Projection;
  /** Consumer group, and the key of this consumer's state rows; defaults to the projection's name. */
  groupId?: string;
  topicPrefix: string;
  partitions: number;
  /** Attempts at one message before it goes to the dead-letter topic. */
  maxAttempts: number;
  logger: Logger;
  /** A CONSUMER span per message, continuing the event's trace; without it nothing is traced. */
  tracer?: Tracer;
}

const RESTART_DELAY_MS = 2_000;

/** The Kafka clients of the current run; a restart replaces both. */
interface KafkaClients {
  consumer?: Consumer;
  producer?: Producer;
}

/** What the running consumer reports to whoever restarts it. */
interface RunEvents {
  crashed(payload: { error: Error; restart: boolean }): void;
  rejoined(): void;
}

interface ConsumerRun {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  dlqTopic: string;
  partitions: number;
  log: Logger;
  eachMessage: (payload: EachMessagePayload) => Promise<void>;
}

/** Creates the topics, connects the dead-letter producer and the consumer group, and consumes. */
async function connect(
  clients: KafkaClients,
  { kafka, groupId, topics, dlqTopic, partitions, log, eachMessage }: ConsumerRun,
  events: RunEvents,
): Promise<void> {
  await ensureTopics(kafka, [...topics, dlqTopic], partitions);
  clients.producer = kafka.producer({ allowAutoTopicCreation: false });
  await clients.producer.connect();
  const consumer = kafka.consumer({
    groupId,
    // The broker's minimum: after an outage the group rejoins once the old member's session lapses.
    sessionTimeout: 6_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 250,
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
  });
  clients.consumer = consumer;
  consumer.on(consumer.events.CRASH, ({ payload }) => events.crashed(payload));
  consumer.on(consumer.events.GROUP_JOIN, () => events.rejoined());
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({ partitionsConsumedConcurrently: partitions, eachMessage });
  log.info({ topics }, 'consumer running');
}

async function disconnect(clients: KafkaClients): Promise<void> {
  const { consumer, producer } = clients;
  clients.consumer = undefined;
  clients.producer = undefined;
  await consumer?.disconnect().catch(() => {});
  await producer?.disconnect().catch(() => {});
}

/**
 * Starts the consumer and keeps it running until stop(). kafkajs restarts itself after retriable
 * failures only; anything else (e.g. the broker gone for longer than its retries) gets a fresh
 * consumer here. An outage is logged once, at its start and at its end.
 */
function keepRunning(
  log: Logger,
  start: (events: RunEvents) => Promise<void>,
  teardown: () => Promise<void>,
) {
  let stopped = false;
  let failing = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let starting: Promise<void> | undefined;

  const restartLater = (error: unknown) => {
    if (stopped || restartTimer) return;
    // Once per outage: while Kafka stays away this repeats every RESTART_DELAY_MS.
    if (!failing)
      log.warn({ err: error }, `consumer stopped; starting again every ${RESTART_DELAY_MS} ms`);
    failing = true;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      void teardown().then(() => (stopped ? undefined : launch()));
    }, RESTART_DELAY_MS);
  };

  const events: RunEvents = {
    crashed(payload) {
      if (!payload.restart) return restartLater(payload.error);
      if (!failing)
        log.warn({ err: payload.error }, 'consumer lost Kafka; kafkajs keeps reconnecting');
      failing = true;
    },
    rejoined() {
      if (failing) log.info('consumer rejoined its group; catching up');
      failing = false;
    },
  };

  const launch = () => {
    starting = start(events).catch(restartLater);
  };
  launch();

  return async function stop() {
    stopped = true;
    clearTimeout(restartTimer);
    // A start still under way would connect a consumer after the teardown; let it finish first.
    await starting;
    await teardown();
  };
}

/**
 * Runs a projection as a kafkajs consumer group. New groups start at the earliest offset, so a
 * consumer created late rebuilds everything; an existing group resumes from its committed offsets.
 * A message that keeps failing while the database answers is a poison message: after `maxAttempts`
 * it goes to the dead-letter topic with the error and the partition moves on. While the database
 * is down nothing is dead-lettered: the offset stays and the message comes again.
 */
export function startProjectionConsumer(options: ProjectionConsumerOptions) {
  const { kafka, prisma, projection, logger, maxAttempts, tracer } = options;
  const groupId = options.groupId ?? projection.name;
  const topics = projection.aggregateTypes.map((type) => topicFor(options.topicPrefix, type));
  const dlqTopic = deadLetterTopic(options.topicPrefix, groupId);
  const log = logger.child({ consumer: groupId });
  const stats: ConsumerStats = { applied: 0, duplicates: 0, deadLettered: 0 };
  const clients: KafkaClients = {};
  const handle = createProjectionHandler({
    prisma,
    projection,
    groupId,
    dlqTopic,
    maxAttempts,
    stats,
    log,
    producer: () => clients.producer!,
  });
  const eachMessage = ({ topic, partition, message }: EachMessagePayload) =>
    tracer
      ? inConsumerSpan(tracer, { topic, partition, message, groupId }, () =>
          handle({ topic, partition, message }),
        )
      : handle({ topic, partition, message });
  const run = {
    kafka,
    groupId,
    topics,
    dlqTopic,
    partitions: options.partitions,
    log,
    eachMessage,
  };
  const stop = keepRunning(
    log,
    (events) => connect(clients, run, events),
    () => disconnect(clients),
  );
  return { groupId, stats, stop };
}

export type ProjectionConsumer = ReturnType<typeof startProjectionConsumer>;
