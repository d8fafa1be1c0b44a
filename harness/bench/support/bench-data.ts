import type { PrismaClient } from '../../../prisma/client.js';

/**
 * The rows a run writes all carry its id: the product `BENCH-<RUN>` and orders `bench-<run>-<scenario>-<n>`
 * (with their items, reservations, outbox events and notification). Nothing else is touched.
 */
export const benchSku = (runId: string) => `BENCH-${runId.toUpperCase()}`;
export const benchOrderPrefix = (runId: string) => `bench-${runId}-`;

/** One product per run with stock for any run, so no other product's stock moves. */
export async function createBenchProduct(prisma: PrismaClient, runId: string): Promise<string> {
  const sku = benchSku(runId);
  await prisma.product.create({
    data: {
      sku,
      name: `Benchmark product (run ${runId})`,
      priceCents: 100,
      stockOnHand: 1_000_000_000,
    },
  });
  return sku;
}

/** Deletes what the run wrote to the order database; the payment gateway's ledger and Temporal's histories stay. */
export async function deleteRunData(prisma: PrismaClient, runId: string): Promise<number> {
  if (!/^[0-9a-f]{8}$/.test(runId)) throw new Error(`not a run id: ${runId}`);
  const orders = `${benchOrderPrefix(runId)}%`;
  const [, , , deleted] = await prisma.$transaction([
    prisma.$executeRaw`DELETE FROM notifications WHERE id LIKE ${`order:${orders}`}`,
    prisma.$executeRaw`DELETE FROM outbox_events WHERE aggregate_type = 'order' AND aggregate_id LIKE ${orders}`,
    prisma.$executeRaw`DELETE FROM inventory_reservations WHERE order_id LIKE ${orders}`,
    prisma.$executeRaw`DELETE FROM orders WHERE id LIKE ${orders}`, // order_items go with them (ON DELETE CASCADE)
    prisma.$executeRaw`DELETE FROM products WHERE sku = ${benchSku(runId)}`,
  ]);
  return deleted;
}
