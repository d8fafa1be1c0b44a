import { z } from 'zod';
import { loadConfigOrExit } from '../../platform/config/load-config.js';
import { databaseSettings } from '../../platform/config/settings.js';
import { ResetRefusedError, resetLocalDatabase } from './local-database.js';

/** `npm run db:reset`: the local stack's database made anew, with only the demo catalogue. */
const { DATABASE_URL, NODE_ENV } = loadConfigOrExit(
  z.object({ DATABASE_URL: databaseSettings.DATABASE_URL, NODE_ENV: z.string().optional() }),
);

try {
  const { database, migrations, demoProducts } = await resetLocalDatabase(DATABASE_URL, {
    nodeEnv: NODE_ENV,
  });
  console.log(
    `reset database ${database}: dropped and recreated, ${migrations.length} migration(s) applied, ` +
      `${demoProducts} demo product(s) seeded`,
  );
} catch (error) {
  if (error instanceof ResetRefusedError) console.error(`db:reset refused: ${error.message}`);
  else if ((error as { code?: string }).code === 'ECONNREFUSED')
    console.error('db:reset failed: Postgres does not answer; start it with `npm run stack -- up`');
  else console.error(`db:reset failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
