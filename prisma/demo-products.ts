import type { PrismaClient } from './client.js';

export const DEMO_PRODUCTS = [
  {
    sku: 'SKU-COFFEE',
    name: 'Single-origin coffee beans, 1 kg',
    priceCents: 2_400,
    stockOnHand: 1_000,
  },
  { sku: 'SKU-MUG', name: 'Enamel mug', priceCents: 1_200, stockOnHand: 500 },
  { sku: 'SKU-GRINDER', name: 'Hand grinder', priceCents: 8_900, stockOnHand: 50 },
  { sku: 'SKU-KETTLE', name: 'Gooseneck kettle', priceCents: 6_500, stockOnHand: 3 },
];

/** Existing products keep their stock: re-seeding never resets a running demo. Returns how many were added. */
export async function seedDemoProducts(prisma: PrismaClient): Promise<number> {
  const { count } = await prisma.product.createMany({ data: DEMO_PRODUCTS, skipDuplicates: true });
  return count;
}
