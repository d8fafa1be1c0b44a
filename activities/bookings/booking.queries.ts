import {
  SOLD_OUT_REASON,
  createBookingRepository,
  type BookingRecord,
  type EventRecord,
} from './booking.repository.js';
import type { EventCache } from './event.cache.js';
import type { PrismaClient } from '../../prisma/client.js';

export type { BookingRecord, EventRecord };

/** Where a read was served from: the cache, Postgres after a cache miss, or Postgres with the cache down. */
export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

/** Events and bookings as the API reads them. */
export interface BookingQueries {
  findEvent(id: string): Promise<{ event: EventRecord; cache: CacheStatus } | null>;
  findBooking(id: string): Promise<BookingRecord | null>;
}

/** A booking that failed because too few seats were left (the saga records that as its failure reason). */
export const wasSoldOut = (booking: BookingRecord): boolean =>
  booking.status === 'FAILED' && booking.failureReason === SOLD_OUT_REASON;

export function createPrismaBookingQueries({
  prisma,
  cache,
}: {
  prisma: PrismaClient;
  cache: EventCache;
}): BookingQueries {
  const bookings = createBookingRepository();
  return {
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
