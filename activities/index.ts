import type { Logger } from 'pino';
import type { PrismaClient } from '../prisma/client.js';
import { createInventoryActivities } from './inventory/inventory.activities.js';
import { createInventoryRepository } from './inventory/inventory.repository.js';
import { createNotificationActivities } from './notification/notification.activities.js';
import { createDatabaseNotificationProvider, type NotificationProvider } from './notification/notification.provider.js';
import { createOrderActivities } from './orders/orders.activities.js';
import { createOrderRepository } from './orders/orders.repository.js';
import { createPaymentActivities } from './payment/payment.activities.js';
import type { PaymentGateway } from './payment/payment.port.js';

export interface ActivityDeps {
  prisma: PrismaClient;
  payments: PaymentGateway;
  logger: Logger;
  notifier?: NotificationProvider;
}

export function createActivities({ prisma, payments, logger, notifier }: ActivityDeps) {
  const orders = createOrderRepository();
  const inventory = createInventoryRepository();
  return {
    ...createOrderActivities({ prisma, orders, inventory }),
    ...createInventoryActivities({ prisma, inventory, orders }),
    ...createPaymentActivities({ prisma, payments, orders }),
    ...createNotificationActivities({ notifier: notifier ?? createDatabaseNotificationProvider({ prisma, logger }) }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
