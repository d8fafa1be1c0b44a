import { Gauge, type Registry } from 'prom-client';
import { BookingStatus, OrderStatus } from '../../../generated/prisma/enums.js';
import type { PrismaClient } from '../../../prisma/client.js';
import type { ScrapeCollector } from './scrape-collectors.js';

export type SagaType = 'order' | 'booking';

export interface SagaStatusCount {
  sagaType: SagaType;
  status: string;
  count: number;
}

/** Every status each saga can be in, so a status no row has yet is a 0, not a missing series. */
const STATUSES: Record<SagaType, readonly string[]> = {
  order: Object.values(OrderStatus),
  booking: Object.values(BookingStatus),
};

/**
 * Orders and bookings by status, counted in Postgres. The terminal statuses are the outcomes
 * (CONFIRMED, FAILED, CANCELLED, EXPIRED); the others are sagas in flight.
 */
export function sagaOutcomesCollector(
  registry: Registry,
  countSagas: () => Promise<SagaStatusCount[]>,
): ScrapeCollector {
  const sagas = new Gauge({
    name: 'sagas_by_status',
    help: 'Orders and bookings by current status, counted in Postgres at scrape time (CONFIRMED, FAILED, CANCELLED, EXPIRED are outcomes)',
    labelNames: ['saga_type', 'status'],
    registers: [registry],
  });
  return {
    name: 'saga_outcomes',
    async read() {
      const counts = await countSagas();
      return () => {
        sagas.reset();
        for (const [sagaType, statuses] of Object.entries(STATUSES)) {
          for (const status of statuses) sagas.set({ saga_type: sagaType, status }, 0);
        }
        for (const { sagaType, status, count } of counts) {
          sagas.set({ saga_type: sagaType, status }, count);
        }
      };
    },
    clear: () => sagas.reset(),
  };
}

/**
 * By status only: `failure_reason` is free text (it names SKUs and timestamps), so as a label it
 * would make a new series per failed saga.
 */
export function prismaSagaCounts(prisma: Pick<PrismaClient, 'order' | 'booking'>) {
  return async (): Promise<SagaStatusCount[]> => {
    const [orders, bookings] = await Promise.all([
      prisma.order.groupBy({ by: ['status'], _count: { _all: true } }),
      prisma.booking.groupBy({ by: ['status'], _count: { _all: true } }),
    ]);
    return [
      ...orders.map((row) => ({
        sagaType: 'order' as const,
        status: row.status,
        count: row._count._all,
      })),
      ...bookings.map((row) => ({
        sagaType: 'booking' as const,
        status: row.status,
        count: row._count._all,
      })),
    ];
  };
}
