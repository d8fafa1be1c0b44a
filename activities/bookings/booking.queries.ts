import { randomUUID } from 'node:crypto';
import {
  createBookingRepository,
  type BookingRecord,
  type EventRecord,
} from './booking.repository.js';
import type { EventCache } from './event.cache.js';
import { appendToOutbox } from '../outbox/outbox.appender.js';
import type { PrismaClient } from '../../prisma/client.js';

/** Where a read was served from: the cache, Postgres after a cache miss, or Postgres with the cache down. */
export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

export interface NewEventInput {
  title: string;
  startsAt: string;
  priceCents: number;
  totalSeats: number;
}

/** Events and bookings as the API reads them, plus creating an event (no saga needed for that). */
export interface BookingQueries {
  createEvent(input: NewEventInput): Promise<EventRecord>;
  findEvent(id: string): Promise<{ event: EventRecord; cache: CacheStatus } | null>;
  findBooking(id: string): Promise<BookingRecord | null>;
}

export function createPrismaBookingQueries({
  prisma,
  cache,
}: {
  prisma: PrismaClient;
  cache: EventCache;
}): BookingQueries {
  const bookings = createBookingRepository();
  return {
    async createEvent(input) {
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

    async findEvent(id) {
      const cached = await cache.get(id);
      if (cached.kind === 'hit') return { event: cached.event, cache: 'HIT' };
      const event = await bookings.findEvent(prisma, id);
      if (!event) return null;
      if (cached.kind === 'unavailable') return { event, cache: 'BYPASS' };
      await cache.put(event);
      return { event, cache: 'MISS' };
    },

    findBooking: (id) => bookings.findBooking(prisma, id),
  };
}
