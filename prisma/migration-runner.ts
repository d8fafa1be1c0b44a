import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/**
 * Applies migrations from Prisma's folder format exactly as `prisma migrate deploy` does (same lock,
 * same `_prisma_migrations` bookkeeping and checksums), because Prisma's schema engine binary cannot
 * be downloaded here. Either tool can take over from the other.
 */

const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

export interface MigrationResult {
  applied: string[];
  warnings: string[];
}

interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

function readMigrations(dir: string): LocalMigration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'migration.sql')),
    )
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export async function migrateDeploy(
  databaseUrl: string,
  migrationsDir: string,
): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const { rows } = await client.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY started_at',
    );
    const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(
        `P3009: migrate found failed migrations in the target database, new migrations will not be applied.\n` +
          `The \`${failed.migration_name}\` migration failed:\n${failed.logs ?? ''}\n` +
          `Fix the database, then mark it resolved (prisma migrate resolve --rolled-back|--applied ${failed.migration_name}).`,
      );
    }
    const local = readMigrations(migrationsDir);
    const finished = new Map(rows.filter((r) => r.finished_at).map((r) => [r.migration_name, r]));
    const warnings: string[] = [];
    for (const row of finished.values()) {
      const match = local.find((m) => m.name === row.migration_name);
      if (!match)
        warnings.push(`${row.migration_name} is applied in the database but missing locally`);
      else if (match.checksum !== row.checksum)
        warnings.push(`${row.migration_name} was modified after it was applied`);
    }
    const applied: string[] = [];
    for (const migration of local.filter((m) => !finished.has(m.name))) {
      const id = randomUUID();
      await client.query(
        'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
        [id, migration.checksum, migration.name],
      );
      try {
        await client.query(migration.sql);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [
          id,
          message,
        ]);
        throw new MigrationError(`Migration ${migration.name} failed: ${message}`);
      }
      await client.query(
        'UPDATE "_prisma_migrations" SET applied_steps_count = applied_steps_count + 1, finished_at = now() WHERE id = $1',
        [id],
      );
      applied.push(migration.name);
    }
    return { applied, warnings };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => {});
    await client.end();
  }
}

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, 'migrations');
