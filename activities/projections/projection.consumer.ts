import { trace, type Tracer } from '@opentelemetry/api';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { errorText } from '../../platform/config/error-text.js';
import {
  EVENT_HEADERS,
  MalformedEventError,
  parseEnvelope,
  topicFor,
} from '../outbox/event-envelope.js';
import { ensureTopics } from '../outbox/kafka.topics.js';
import type { PrismaClient } from '../../prisma/client.js';
import { inConsumerSpan } from './message-tracing.js';
import { markProcessed } from './processed-events.repository.js';
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

export interface ConsumerStats {
  applied: number;
  duplicates: number;
  deadLettered: number;
}

export const deadLetterTopic = (topicPrefix: string, groupId: string) =>
  `${topicPrefix}.${groupId}.dlq`;

/** Headers a dead letter carries besides the original message's own. */
export const DEAD_LETTER_HEADERS = {
  error: 'dlq-error',
  attempts: 'dlq-attempts',
  consumer: 'dlq-consumer',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
} as const;

const RESTART_DELAY_MS = 2_000;

/** What a log line about one message names: the event and the saga it belongs to (read from headers, so malformed bodies too). */
function messageLogContext({ headers }: KafkaMessage) {
  const header = (name: string) => headers?.[name]?.toString();
  return {
    eventId: header(EVENT_HEADERS.eventId),
    eventType: header(EVENT_HEADERS.eventType),
    correlationId: header(EVENT_HEADERS.correlationId),
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
  let consumer: Consumer | undefined;
  let producer: Producer | undefined;
  let stopped = false;
  let failing = false;
  let restartTimer: NodeJS.Timeout | undefined;
  let starting: Promise<void> | undefined;

  const apply = async (value: Buffer | null) => {
    const event = parseEnvelope(value);
    const applied = await prisma.$transaction(async (tx) => {
      if (!(await markProcessed(tx, groupId, event.id))) return false;
      await projection.apply(tx, groupId, event);
      return true;
    });
    if (applied) stats.applied += 1;
    else stats.duplicates += 1;
    log.debug(
      { eventId: event.id, eventType: event.eventType, correlationId: event.correlationId },
      applied ? 'event applied' : 'duplicate event skipped',
    );
    trace.getActiveSpan()?.setAttribute('saga.consumer.outcome', applied ? 'applied' : 'duplicate');
  };

  const databaseAnswers = () =>
    prisma.$queryRaw`SELECT 1`.then(
      () => true,
      () => false,
    );

  const handle = async (topic: string, partition: number, message: KafkaMessage) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await apply(message.value);
        return;
      } catch (error) {
        const malformed = error instanceof MalformedEventError;
        // Not the message's fault: leave the offset, kafkajs redelivers after its backoff.
        if (!malformed && !(await databaseAnswers())) throw error;
        if (!malformed && attempt < maxAttempts) {
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
          continue;
        }
        await deadLetter(topic, partition, message, error, attempt);
        return;
      }
    }
  };

  const deadLetter = async (
    topic: string,
    partition: number,
    message: KafkaMessage,
    error: unknown,
    attempts: number,
  ) => {
    const reason = errorText(error);
    await producer!.send({
      topic: dlqTopic,
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [DEAD_LETTER_HEADERS.error]: reason,
            [DEAD_LETTER_HEADERS.attempts]: String(attempts),
            [DEAD_LETTER_HEADERS.consumer]: groupId,
            [DEAD_LETTER_HEADERS.topic]: topic,
            [DEAD_LETTER_HEADERS.partition]: String(partition),
            [DEAD_LETTER_HEADERS.offset]: message.offset,
          },
        },
      ],
    });
    stats.deadLettered += 1;
    trace.getActiveSpan()?.setAttribute('saga.consumer.outcome', 'dead-lettered');
    log.error(
      {
        ...messageLogContext(message),
        topic,
        partition,
        offset: message.offset,
        attempts,
        reason,
        dlqTopic,
      },
      'poison message dead-lettered',
    );
  };

  const start = async () => {
    await ensureTopics(kafka, [...topics, dlqTopic], options.partitions);
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    consumer = kafka.consumer({
      groupId,
      // The broker's minimum: after an outage the group rejoins once the old member's session lapses.
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      maxWaitTimeInMs: 250,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) return restartLater(payload.error);
      if (!failing)
        log.warn({ err: payload.error }, 'consumer lost Kafka; kafkajs keeps reconnecting');
      failing = true;
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (failing) log.info('consumer rejoined its group; catching up');
      failing = false;
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: options.partitions,
      eachMessage: ({ topic, partition, message }) =>
        tracer
          ? inConsumerSpan(tracer, { topic, partition, message, groupId }, () =>
              handle(topic, partition, message),
            )
          : handle(topic, partition, message),
    });
    log.info({ topics }, 'consumer running');
  };

  // kafkajs restarts itself after retriable failures only; anything else (e.g. the broker gone for
  // longer than its retries) gets a fresh consumer here, until stop().
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

  const teardown = async () => {
    const [oldConsumer, oldProducer] = [consumer, producer];
    consumer = undefined;
    producer = undefined;
    await oldConsumer?.disconnect().catch(() => {});
    await oldProducer?.disconnect().catch(() => {});
  };

  const launch = () => {
    starting = start().catch(restartLater);
  };
  launch();

  return {
    groupId,
    stats,
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      // A start still under way would connect a consumer after the teardown; let it finish first.
      await starting;
      await teardown();
    },
  };
}

export type ProjectionConsumer = ReturnType<typeof startProjectionConsumer>;
