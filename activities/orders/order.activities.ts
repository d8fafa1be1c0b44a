import { ApplicationFailure } from '@temporalio/activity';
import type { PrismaClient } from '../../prisma/client.js';
import { ErrorType } from '../../workflows/contracts/errors.js';
import type { OrderItemInput } from '../../workflows/orders/order.types.js';
import { currentCorrelationId } from '../correlation.js';
import type { InventoryRepository } from '../inventory/inventory.repository.js';
import { appendToOutbox } from '../outbox/outbox.appender.js';
import type { OrderRepository } from './order.repository.js';

export interface CreateOrderInput {
  orderId: string;
  customerId: string;
  items: OrderItemInput[];
}

export interface CloseOrderInput {
  orderId: string;
  status: 'CANCELLED' | 'FAILED';
  reason: string;
}

interface Deps {
  prisma: PrismaClient;
  orders: OrderRepository;
  inventory: InventoryRepository;
}

export const createOrderActivities = ({ prisma, orders, inventory }: Deps) => ({
  /** Records the order as PENDING with prices fixed now. Idempotent on the order id. */
  async createOrder(input: CreateOrderInput): Promise<{ totalCents: number }> {
    const skus = input.items.map((item) => item.sku);
    if (
      input.items.length === 0 ||
      new Set(skus).size !== skus.length ||
      input.items.some((i) => !(i.quantity > 0))
    ) {
      throw ApplicationFailure.nonRetryable(
        'an order needs distinct SKUs with positive quantities',
        ErrorType.InvalidOrder,
      );
    }
    return prisma.$transaction(async (tx) => {
      const existing = await orders.findById(tx, input.orderId);
      if (existing) return { totalCents: existing.totalCents };
      const products = new Map((await inventory.findProducts(tx, skus)).map((p) => [p.sku, p]));
      const unknown = skus.filter((sku) => !products.has(sku));
      if (unknown.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `unknown SKU(s): ${unknown.join(', ')}`,
          ErrorType.InvalidOrder,
        );
      }
      const items = input.items.map(({ sku, quantity }) => ({
        sku,
        quantity,
        unitPriceCents: products.get(sku)!.priceCents,
      }));
      const totalCents = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
      await orders.insert(tx, {
        id: input.orderId,
        customerId: input.customerId,
        totalCents,
        items,
      });
      await appendToOutbox(tx, currentCorrelationId(), {
        aggregateType: 'order',
        aggregateId: input.orderId,
        eventType: 'OrderPlaced',
        payload: { orderId: input.orderId, customerId: input.customerId, items, totalCents },
      });
      return { totalCents };
    });
  },

  /** PAID → CONFIRMED; the reserved stock becomes committed. */
  async confirmOrder({ orderId }: { orderId: string }): Promise<void> {
    await prisma.$transaction(async (tx) => {
      if (!(await orders.transition(tx, orderId, ['PAID'], 'CONFIRMED'))) return;
      await inventory.setReservationStatus(tx, orderId, 'RESERVED', 'COMMITTED');
      await appendToOutbox(tx, currentCorrelationId(), {
        aggregateType: 'order',
        aggregateId: orderId,
        eventType: 'OrderConfirmed',
        payload: { orderId },
      });
    });
  },

  /** Ends an order that did not go through, after its compensations ran. */
  async closeOrder({ orderId, status, reason }: CloseOrderInput): Promise<void> {
    await prisma.$transaction(async (tx) => {
      const open = ['PENDING', 'RESERVED', 'PAID'] as const;
      if (!(await orders.transition(tx, orderId, [...open], status, { failureReason: reason })))
        return;
      await appendToOutbox(tx, currentCorrelationId(), {
        aggregateType: 'order',
        aggregateId: orderId,
        eventType: status === 'CANCELLED' ? 'OrderCancelled' : 'OrderFailed',
        payload: { orderId, reason },
      });
    });
  },
});
