import { z } from 'zod';
import { loadConfigOrExit } from '../platform/config/load-config.js';
import { databaseSettings } from '../platform/config/settings.js';
import { MIGRATIONS_DIR, migrateDeploy } from './migration-runner.js';

const { DATABASE_URL } = loadConfigOrExit(
  z.object({ DATABASE_URL: databaseSettings.DATABASE_URL }),
);

try {
  const { applied, warnings } = await migrateDeploy(DATABASE_URL, MIGRATIONS_DIR);
  for (const warning of warnings) console.warn(`warning: ${warning}`);
  console.log(
    applied.length
      ? `applied ${applied.length} migration(s): ${applied.join(', ')}`
      : 'database is up to date',
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
