import { z } from 'zod';
import { loadConfigOrExit } from '../config/load-config.js';
import { databaseSettings } from '../config/settings.js';
import { createPrismaClient } from './client.js';

/** Demo catalogue for `npm start`. Existing products keep their stock: re-seeding never resets a demo. */
export const DEMO_PRODUCTS = [
  { sku: 'SKU-COFFEE', name: 'Single-origin coffee beans, 1 kg', priceCents: 2_400, stockOnHand: 1_000 },
  { sku: 'SKU-MUG', name: 'Enamel mug', priceCents: 1_200, stockOnHand: 500 },
  { sku: 'SKU-GRINDER', name: 'Hand grinder', priceCents: 8_900, stockOnHand: 50 },
  { sku: 'SKU-KETTLE', name: 'Gooseneck kettle', priceCents: 6_500, stockOnHand: 3 },
];

const { DATABASE_URL } = loadConfigOrExit(z.object({ DATABASE_URL: databaseSettings.DATABASE_URL }));
const prisma = createPrismaClient({ url: DATABASE_URL, poolMax: 2 });
try {
  const { count } = await prisma.product.createMany({ data: DEMO_PRODUCTS, skipDuplicates: true });
  console.log(count ? `seeded ${count} demo product(s)` : 'demo products already present');
} finally {
  await prisma.$disconnect();
}
