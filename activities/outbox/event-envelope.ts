import { z } from 'zod';
import type { OutboxRecord } from './event-publisher.port.js';

/** Kafka message headers every published event carries (trace context as W3C `traceparent`). */
export const EVENT_HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  schemaVersion: 'schema-version',
  correlationId: 'correlation-id',
  aggregateType: 'aggregate-type',
  /** Outbox insertion order; within one aggregate, the order its events committed in. */
  outboxSequence: 'outbox-sequence',
  traceparent: 'traceparent',
} as const;

export const topicFor = (prefix: string, aggregateType: string) => `${prefix}.${aggregateType}`;

export interface KafkaMessageOut {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** The message for one event: keyed by aggregate id, so an aggregate's events share a partition. */
export function toKafkaMessage(event: OutboxRecord): KafkaMessageOut {
  const headers: Record<string, string> = {
    [EVENT_HEADERS.eventId]: event.id,
    [EVENT_HEADERS.eventType]: event.eventType,
    [EVENT_HEADERS.schemaVersion]: String(event.schemaVersion),
    [EVENT_HEADERS.aggregateType]: event.aggregateType,
    [EVENT_HEADERS.outboxSequence]: event.sequence,
  };
  if (event.correlationId) headers[EVENT_HEADERS.correlationId] = event.correlationId;
  if (event.traceContext) headers[EVENT_HEADERS.traceparent] = event.traceContext;
  const body: EventEnvelope = {
    id: event.id,
    outboxSequence: event.sequence,
    aggregateType: event.aggregateType,
    aggregateId: event.aggregateId,
    eventType: event.eventType,
    schemaVersion: event.schemaVersion,
    payload: event.payload,
    correlationId: event.correlationId,
    occurredAt: event.occurredAt,
  };
  return { key: event.aggregateId, value: JSON.stringify(body), headers };
}

const envelopeSchema = z.object({
  id: z.string().uuid(),
  outboxSequence: z.string().regex(/^\d+$/),
  aggregateType: z.string().min(1),
  aggregateId: z.string().min(1),
  eventType: z.string().min(1),
  schemaVersion: z.number().int().positive(),
  payload: z.record(z.string(), z.unknown()),
  correlationId: z.string().nullable(),
  occurredAt: z.string(),
});

export type EventEnvelope = z.infer<typeof envelopeSchema>;

export class MalformedEventError extends Error {
  override readonly name = 'MalformedEventError';
}

/** Reads a message value back into an event; anything else is a poison message. */
export function parseEnvelope(value: Buffer | null): EventEnvelope {
  if (!value) throw new MalformedEventError('message has no value');
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    throw new MalformedEventError('message value is not JSON');
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MalformedEventError(
      `not an event envelope: ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}
