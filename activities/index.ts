import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/client.js';
import { createBookingActivities } from './bookings/bookings.activities.js';
import { createBookingRepository } from './bookings/bookings.repository.js';
import { noEventCache, type EventCache } from './bookings/event.cache.js';
import { withLivenessHeartbeats } from './liveness.js';
import { createInventoryActivities } from './inventory/inventory.activities.js';
import { createInventoryRepository } from './inventory/inventory.repository.js';
import { createNotificationActivities } from './notification/notification.activities.js';
import {
  createDatabaseNotificationProvider,
  type NotificationProvider,
} from './notification/notification.provider.js';
import { createOrderActivities } from './orders/orders.activities.js';
import { createOrderRepository } from './orders/orders.repository.js';
import { createPaymentActivities } from './payment/payment.activities.js';
import type { PaymentGateway } from './payment/payment.port.js';

export interface ActivityDeps {
  prisma: PrismaClient;
  payments: PaymentGateway;
  logger: Logger;
  notifier?: NotificationProvider;
  /** Seat changes write the new availability through to it; without one, nothing is cached. */
  eventCache?: EventCache;
}

export function createActivities({ prisma, payments, logger, notifier, eventCache }: ActivityDeps) {
  const orders = createOrderRepository();
  const inventory = createInventoryRepository();
  return withLivenessHeartbeats({
    ...createOrderActivities({ prisma, orders, inventory }),
    ...createInventoryActivities({ prisma, inventory, orders }),
    ...createPaymentActivities({ prisma, payments, orders }),
    ...createBookingActivities({
      prisma,
      bookings: createBookingRepository(),
      payments,
      eventCache: eventCache ?? noEventCache,
    }),
    ...createNotificationActivities({
      notifier: notifier ?? createDatabaseNotificationProvider({ prisma, logger }),
    }),
  });
}

export type Activities = ReturnType<typeof createActivities>;
