import {
  createInventoryRepository,
  type ProductRecord,
} from '../inventory/inventory.repository.js';
import { createOrderRepository, type OrderRecord } from './order.repository.js';
import type { PrismaClient } from '../../prisma/client.js';

/** Reads the API serves straight from the database. */
export interface OrderQueries {
  findOrder(id: string): Promise<OrderRecord | null>;
  listProducts(): Promise<ProductRecord[]>;
  unknownSkus(skus: string[]): Promise<string[]>;
}

export function createPrismaOrderQueries(prisma: PrismaClient): OrderQueries {
  const orders = createOrderRepository();
  const inventory = createInventoryRepository();
  return {
    findOrder: (id) => orders.findById(prisma, id),
    listProducts: () => inventory.listProducts(prisma),
    async unknownSkus(skus) {
      const known = new Set((await inventory.findProducts(prisma, skus)).map((p) => p.sku));
      return skus.filter((sku) => !known.has(sku));
    },
  };
}
