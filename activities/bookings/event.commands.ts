import { randomUUID } from 'node:crypto';
import { createBookingRepository, type EventRecord } from './booking.repository.js';
import type { EventCache } from './event.cache.js';
import { appendToOutbox } from '../outbox/outbox.appender.js';
import type { PrismaClient } from '../../prisma/client.js';

export interface NewEventInput {
  title: string;
  startsAt: string;
  priceCents: number;
  totalSeats: number;
}

/** The one write on ticketed events that needs no saga: creating an event holds no seats. */
export interface EventCommands {
  createTicketedEvent(input: NewEventInput): Promise<EventRecord>;
}

export function createPrismaEventCommands({
  prisma,
  cache,
}: {
  prisma: PrismaClient;
  cache: EventCache;
}): EventCommands {
  const bookings = createBookingRepository();
  return {
    async createTicketedEvent(input) {
      // The row and its EventCreated commit together, like every other write with an event.
      const event = await prisma.$transaction(async (tx) => {
        const created = await bookings.insertEvent(tx, {
          id: randomUUID(),
          ...input,
          startsAt: new Date(input.startsAt),
        });
        await appendToOutbox(tx, undefined, {
          aggregateType: 'event',
          aggregateId: created.id,
          eventType: 'EventCreated',
          payload: {
            eventId: created.id,
            title: created.title,
            startsAt: created.startsAt,
            totalSeats: created.totalSeats,
            priceCents: created.priceCents,
          },
        });
        return created;
      });
      await cache.put(event);
      return event;
    },
  };
}
