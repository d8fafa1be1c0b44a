import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/client.js';
import { createBookingActivities } from './bookings/booking.activities.js';
import { createBookingRepository } from './bookings/booking.repository.js';
import { noEventCache, type EventCache } from './bookings/event.cache.js';
import { withLivenessHeartbeats } from './liveness.js';
import { createInventoryActivities } from './inventory/inventory.activities.js';
import { createInventoryRepository } from './inventory/inventory.repository.js';
import { createNotificationActivities } from './notifications/notification.activities.js';
import {
  createDatabaseNotificationProvider,
  type NotificationProvider,
} from './notifications/notification.provider.js';
import { createOrderActivities } from './orders/order.activities.js';
import { createOrderRepository } from './orders/order.repository.js';
import { createPaymentActivities } from './payments/payment.activities.js';
import type { PaymentGateway } from './payments/payment.port.js';

export interface ActivityDeps {
  prisma: PrismaClient;
  payments: PaymentGateway;
  logger: Logger;
  notifier?: NotificationProvider;
  /** Seat changes write the new availability through to it; without one, nothing is cached. */
  eventCache?: EventCache;
}

const notificationsOf = ({ prisma, logger, notifier }: ActivityDeps) =>
  createNotificationActivities({
    notifier: notifier ?? createDatabaseNotificationProvider({ prisma, logger }),
  });

/** What the order saga's task queue registers: orders, inventory, order payments, its notice. */
export function createOrderSagaActivities(deps: ActivityDeps) {
  const { prisma, payments } = deps;
  const orders = createOrderRepository();
  const inventory = createInventoryRepository();
  return withLivenessHeartbeats({
    ...createOrderActivities({ prisma, orders, inventory }),
    ...createInventoryActivities({ prisma, inventory, orders }),
    ...createPaymentActivities({ prisma, payments, orders }),
    notifyCustomer: notificationsOf(deps).notifyCustomer,
  });
}

/** What the booking saga's task queue registers: seats, booking payments, its notice. */
export function createBookingSagaActivities(deps: ActivityDeps) {
  const { prisma, payments, eventCache } = deps;
  return withLivenessHeartbeats({
    ...createBookingActivities({
      prisma,
      bookings: createBookingRepository(),
      payments,
      eventCache: eventCache ?? noEventCache,
    }),
    notifyBookingConfirmed: notificationsOf(deps).notifyBookingConfirmed,
  });
}

export type OrderActivities = ReturnType<typeof createOrderSagaActivities>;
export type BookingActivities = ReturnType<typeof createBookingSagaActivities>;
