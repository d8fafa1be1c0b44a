import { randomUUID } from 'node:crypto';
import type { Db } from '../../prisma/client.js';
import type {
  AggregateType,
  EventType,
  EventTypeOf,
  IdField,
  PayloadOf,
} from './event-catalogue.js';
import { currentTraceparent } from './trace-context.js';

/**
 * An event of the catalogue as a writer appends it: `DomainEvent` is any of them,
 * `DomainEvent<'booking'>` any booking event, `DomainEvent<'order', 'OrderPlaced'>` exactly one.
 */
export type DomainEvent<A extends AggregateType = AggregateType, T extends string = EventType> = {
  [Agg in A]: {
    [Type in Extract<T, EventTypeOf<Agg>>]: {
      aggregateType: Agg;
      aggregateId: string;
      eventType: Type;
      payload: PayloadOf<Agg, Type>;
    };
  }[Extract<T, EventTypeOf<Agg>>];
}[A];

/** A payload but the aggregate id it starts with (each member of a union on its own). */
export type EventFields<A extends AggregateType, T extends EventTypeOf<A>> =
  PayloadOf<A, T> extends infer Payload
    ? Payload extends unknown
      ? Omit<Payload, IdField<A>> & { [Id in IdField<A>]?: never }
      : never
    : never;

/** An event whose payload is the aggregate's id field (`bookingId`, ...) followed by `fields`. */
export function aggregateEvent<A extends AggregateType, T extends EventTypeOf<A>>(
  aggregateType: A,
  aggregateId: string,
  eventType: T,
  fields: EventFields<A, T>,
): DomainEvent<A, T> {
  const payload = { [`${aggregateType}Id`]: aggregateId, ...fields };
  // TypeScript cannot follow a payload built for a generic aggregate; the signature is the check.
  return { aggregateType, aggregateId, eventType, payload } as unknown as DomainEvent<A, T>;
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
