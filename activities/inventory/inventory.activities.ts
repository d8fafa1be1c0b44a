import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../../prisma/client.js';
import { ErrorType } from '../../workflows/contracts/errors.js';
import { currentCorrelationId } from '../correlation.js';
import type { OrderRepository } from '../orders/order.repository.js';
import { appendToOutbox } from '../outbox/outbox.appender.js';
import type { InventoryRepository } from './inventory.repository.js';

interface Deps {
  prisma: PrismaClient;
  inventory: InventoryRepository;
  orders: OrderRepository;
}

class OutOfStock extends Error {}

export const createInventoryActivities = ({ prisma, inventory, orders }: Deps) => ({
  /**
   * Takes stock for every item of the order, all or nothing, and marks the order RESERVED.
   * A repeat is a no-op; so is a late attempt after the order's stock was already released.
   */
  async reserveInventory({ orderId }: { orderId: string }): Promise<void> {
    try {
      await prisma.$transaction(async (tx) => {
        if (!(await orders.lock(tx, orderId))) {
          throw ApplicationFailure.nonRetryable(
            `order ${orderId} does not exist`,
            ErrorType.InvalidOrder,
          );
        }
        if ((await inventory.reservationsOf(tx, orderId)).length > 0) return;
        const order = (await orders.findById(tx, orderId))!;
        // Sorted so concurrent multi-item orders lock product rows in one order: no deadlocks.
        const items = [...order.items].sort((a, b) => a.sku.localeCompare(b.sku));
        for (const item of items) {
          if (!(await inventory.takeStock(tx, item))) throw new OutOfStock(item.sku);
        }
        await inventory.insertReservations(tx, orderId, items, 'RESERVED');
        await orders.transition(tx, orderId, ['PENDING'], 'RESERVED');
        await appendToOutbox(tx, currentCorrelationId(), {
          aggregateType: 'order',
          aggregateId: orderId,
          eventType: 'InventoryReserved',
          payload: { orderId, items: items.map(({ sku, quantity }) => ({ sku, quantity })) },
        });
      });
    } catch (error) {
      if (error instanceof OutOfStock) {
        throw ApplicationFailure.nonRetryable(
          `out of stock: ${error.message}`,
          ErrorType.OutOfStock,
          { sku: error.message },
        );
      }
      throw error;
    }
  },

  /**
   * Compensation of reserveInventory: returns reserved stock. With nothing reserved yet it leaves
   * RELEASED markers, so a reserve attempt that commits late finds the order released and does nothing.
   */
  async releaseInventory({ orderId }: { orderId: string }): Promise<void> {
    await prisma.$transaction(async (tx) => {
      if (!(await orders.lock(tx, orderId))) return;
      const reservations = await inventory.reservationsOf(tx, orderId);
      if (reservations.length === 0) {
        const order = (await orders.findById(tx, orderId))!;
        await inventory.insertReservations(tx, orderId, order.items, 'RELEASED');
        return;
      }
      const held = reservations.filter((r) => r.status === 'RESERVED');
      if (held.length === 0) return;
      for (const item of held) await inventory.returnStock(tx, item);
      await inventory.setReservationStatus(tx, orderId, 'RESERVED', 'RELEASED');
      await appendToOutbox(tx, currentCorrelationId(), {
        aggregateType: 'order',
        aggregateId: orderId,
        eventType: 'InventoryReleased',
        payload: { orderId, items: held.map(({ sku, quantity }) => ({ sku, quantity })) },
      });
    });
  },
});
