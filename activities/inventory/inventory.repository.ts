import type { Db } from '../../prisma/client.js';
import type { OrderItemInput } from '../../workflows/orders/order.types.js';

export interface ProductRecord {
  sku: string;
  name: string;
  priceCents: number;
  stockOnHand: number;
}

export function createInventoryRepository() {
  return {
    async listProducts(db: Db): Promise<ProductRecord[]> {
      return db.product.findMany({
        orderBy: { sku: 'asc' },
        select: { sku: true, name: true, priceCents: true, stockOnHand: true },
      });
    },

    async findProducts(db: Db, skus: string[]): Promise<ProductRecord[]> {
      return db.product.findMany({
        where: { sku: { in: skus } },
        select: { sku: true, name: true, priceCents: true, stockOnHand: true },
      });
    },

    async reservationsOf(db: Db, orderId: string) {
      return db.inventoryReservation.findMany({
        where: { orderId },
        select: { sku: true, quantity: true, status: true },
      });
    },

    /**
     * Takes stock for one item only if enough is on hand (a conditional update, so concurrent
     * sagas can never drive it negative). Returns false when it is not.
     */
    async takeStock(db: Db, { sku, quantity }: OrderItemInput): Promise<boolean> {
      const updated = await db.$executeRaw`
        UPDATE products SET stock_on_hand = stock_on_hand - ${quantity}, updated_at = now()
        WHERE sku = ${sku} AND stock_on_hand >= ${quantity}`;
      return updated === 1;
    },

    async returnStock(db: Db, { sku, quantity }: OrderItemInput) {
      await db.$executeRaw`
        UPDATE products SET stock_on_hand = stock_on_hand + ${quantity}, updated_at = now() WHERE sku = ${sku}`;
    },

    async insertReservations(
      db: Db,
      orderId: string,
      items: OrderItemInput[],
      status: 'RESERVED' | 'RELEASED',
    ) {
      await db.inventoryReservation.createMany({
        data: items.map(({ sku, quantity }) => ({ orderId, sku, quantity, status })),
        skipDuplicates: true,
      });
    },

    async setReservationStatus(
      db: Db,
      orderId: string,
      from: 'RESERVED',
      to: 'RELEASED' | 'COMMITTED',
    ) {
      const { count } = await db.inventoryReservation.updateMany({
        where: { orderId, status: from },
        data: { status: to },
      });
      return count;
    },
  };
}

export type InventoryRepository = ReturnType<typeof createInventoryRepository>;
