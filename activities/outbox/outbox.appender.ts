import { randomUUID } from 'node:crypto';
import type { Db } from '../../prisma/client.js';
import { currentTraceparent } from './trace-context.js';

export type AggregateType = 'order' | 'booking' | 'event';

export interface DomainEvent {
  aggregateType: AggregateType;
  aggregateId: string;
  eventType: string;
  payload: Record<string, unknown>;
}

/** Writes events to the outbox. Call it with the transaction that makes the state change. */
export async function appendToOutbox(
  db: Db,
  correlationId: string | undefined,
  ...events: DomainEvent[]
) {
  if (events.length === 0) return;
  const traceContext = currentTraceparent() ?? null;
  await db.outboxEvent.createMany({
    data: events.map((event) => ({
      id: randomUUID(),
      aggregateType: event.aggregateType,
      aggregateId: event.aggregateId,
      eventType: event.eventType,
      payload: event.payload as object,
      correlationId: correlationId ?? null,
      traceContext,
    })),
  });
}
