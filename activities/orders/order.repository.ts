import type { Db } from '../../prisma/client.js';
import type { OrderStatus } from '../../workflows/orders/order.types.js';

export interface OrderItemRecord {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface OrderRecord {
  id: string;
  customerId: string;
  status: OrderStatus;
  totalCents: number;
  chargeId: string | null;
  refundId: string | null;
  failureReason: string | null;
  items: OrderItemRecord[];
  createdAt: string;
  updatedAt: string;
}

export function createOrderRepository() {
  return {
    async findById(db: Db, id: string): Promise<OrderRecord | null> {
      const order = await db.order.findUnique({
        where: { id },
        include: { items: { orderBy: { sku: 'asc' } } },
      });
      if (!order) return null;
      return {
        id: order.id,
        customerId: order.customerId,
        status: order.status,
        totalCents: order.totalCents,
        chargeId: order.chargeId,
        refundId: order.refundId,
        failureReason: order.failureReason,
        items: order.items.map(({ sku, quantity, unitPriceCents }) => ({
          sku,
          quantity,
          unitPriceCents,
        })),
        createdAt: order.createdAt.toISOString(),
        updatedAt: order.updatedAt.toISOString(),
      };
    },

    /** Row lock: serialises the steps and compensations of one order. */
    async lock(db: Db, id: string): Promise<{ status: OrderStatus } | null> {
      const rows = await db.$queryRaw<{ status: OrderStatus }[]>`
        SELECT status FROM orders WHERE id = ${id} FOR UPDATE`;
      return rows[0] ?? null;
    },

    async insert(
      db: Db,
      order: { id: string; customerId: string; totalCents: number; items: OrderItemRecord[] },
    ) {
      await db.order.create({
        data: {
          id: order.id,
          customerId: order.customerId,
          status: 'PENDING',
          totalCents: order.totalCents,
          items: { create: order.items },
        },
      });
    },

    /** Moves the order on only from `from`; returns false when it was elsewhere (already done). */
    async transition(
      db: Db,
      id: string,
      from: OrderStatus[],
      to: OrderStatus,
      data: { chargeId?: string; failureReason?: string } = {},
    ) {
      const { count } = await db.order.updateMany({
        where: { id, status: { in: from } },
        data: { status: to, ...data },
      });
      return count === 1;
    },

    async recordRefund(db: Db, id: string, refundId: string) {
      const { count } = await db.order.updateMany({
        where: { id, refundId: null },
        data: { refundId },
      });
      return count === 1;
    },
  };
}

export type OrderRepository = ReturnType<typeof createOrderRepository>;
