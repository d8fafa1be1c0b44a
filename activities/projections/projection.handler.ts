import { trace } from '@opentelemetry/api';
import type { KafkaMessage, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { errorText } from '../../platform/config/error-text.js';
import type { PrismaClient } from '../../prisma/client.js';
import { EVENT_HEADERS, MalformedEventError, parseEnvelope } from '../outbox/event-envelope.js';
import { sendDeadLetter, type ConsumedAt } from './dead-letters.js';
import { markProcessed } from './processed-events.repository.js';
import type { Projection } from './projection.js';

export interface ConsumerStats {
  applied: number;
  duplicates: number;
  deadLettered: number;
}

export interface ProjectionHandlerDeps {
  prisma: PrismaClient;
  projection: Projection;
  groupId: string;
  dlqTopic: string;
  /** Attempts at one message before it goes to the dead-letter topic. */
  maxAttempts: number;
  stats: ConsumerStats;
  log: Logger;
  /** The producer of the consumer's current connection (a restart replaces it). */
  producer: () => Producer;
}

/** What a log line about one message names: the event and the saga it belongs to (read from headers, so malformed bodies too). */
function messageLogContext({ headers }: KafkaMessage) {
  const header = (name: string) => headers?.[name]?.toString();
  return {
    eventId: header(EVENT_HEADERS.eventId),
    eventType: header(EVENT_HEADERS.eventType),
    correlationId: header(EVENT_HEADERS.correlationId),
  };
}

const databaseAnswers = (prisma: PrismaClient) =>
  prisma.$queryRaw`SELECT 1`.then(
    () => true,
    () => false,
  );

/** Applies the event once per group: a duplicate (already marked processed) changes nothing. */
async function applyEvent(
  { prisma, projection, groupId, stats, log }: ProjectionHandlerDeps,
  value: Buffer | null,
): Promise<void> {
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
}

async function deadLetter(
  deps: ProjectionHandlerDeps,
  consumed: ConsumedAt,
  error: unknown,
  attempts: number,
): Promise<void> {
  const { groupId, dlqTopic, stats, log } = deps;
  const reason = errorText(error);
  await sendDeadLetter(deps.producer(), dlqTopic, { ...consumed, groupId, reason, attempts });
  stats.deadLettered += 1;
  trace.getActiveSpan()?.setAttribute('saga.consumer.outcome', 'dead-lettered');
  const { topic, partition, message } = consumed;
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
}

/**
 * Handles one message: applies it, retrying a failure while the database answers; after
 * `maxAttempts` (a malformed message at once) it goes to the dead-letter topic. While the database
 * is down the error propagates: the offset stays and kafkajs redelivers after its backoff.
 */
export function createProjectionHandler(deps: ProjectionHandlerDeps) {
  return async (consumed: ConsumedAt): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await applyEvent(deps, consumed.message.value);
        return;
      } catch (error) {
        const malformed = error instanceof MalformedEventError;
        // Not the message's fault: leave the offset, kafkajs redelivers after its backoff.
        if (!malformed && !(await databaseAnswers(deps.prisma))) throw error;
        if (!malformed && attempt < deps.maxAttempts) {
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
          continue;
        }
        await deadLetter(deps, consumed, error, attempt);
        return;
      }
    }
  };
}
