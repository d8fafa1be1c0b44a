import { defineConfig } from 'prisma/config';

// Read by the Prisma CLI only (generate, studio). The app validates DATABASE_URL with zod at boot.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
