import { z } from 'zod';
import { loadConfigOrExit } from '../platform/config/load-config.js';
import { databaseSettings } from '../platform/config/settings.js';
import { createPrismaClient } from './client.js';
import { seedDemoProducts } from './demo-products.js';

const { DATABASE_URL } = loadConfigOrExit(
  z.object({ DATABASE_URL: databaseSettings.DATABASE_URL }),
);
const prisma = createPrismaClient({ url: DATABASE_URL, poolMax: 2 });
try {
  const added = await seedDemoProducts(prisma);
  console.log(added ? `seeded ${added} demo product(s)` : 'demo products already present');
} finally {
  await prisma.$disconnect();
}
