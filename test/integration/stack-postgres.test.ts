import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createPrismaClient } from '../../prisma/client.js';
import { MIGRATIONS_DIR, MigrationError, migrateDeploy } from '../../prisma/migration-runner.js';

const databaseUrl = inject('stackEnv').DATABASE_URL!;

/** The same server, another database. */
function databaseUrlFor(name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

describe('Postgres with the project migrations', () => {
  const prisma = createPrismaClient({ url: databaseUrl, poolMax: 2 });
  const sku = `stack-probe-${randomUUID()}`;

  afterAll(async () => {
    await prisma.product.deleteMany({ where: { sku } });
    await prisma.$disconnect();
  });

  it('migrates idempotently: a second deploy applies nothing', async () => {
    await migrateDeploy(databaseUrl, MIGRATIONS_DIR);
    const second = await migrateDeploy(databaseUrl, MIGRATIONS_DIR);
    expect(second).toEqual({ applied: [], warnings: [] });

    const local = fs
      .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
      .filter((e) => e.isDirectory());
    const { rows } = await withClient(databaseUrl, (client) =>
      client.query<{ migration_name: string }>(
        'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
      ),
    );
    expect(rows.map((r) => r.migration_name)).toEqual(
      expect.arrayContaining(local.map((e) => e.name)),
    );
  });

  it('writes and reads a product through Prisma', async () => {
    await prisma.product.create({
      data: { sku, name: 'Stack probe', priceCents: 1_234, stockOnHand: 5 },
    });
    const product = await prisma.product.findUnique({ where: { sku } });
    expect(product).toMatchObject({ sku, name: 'Stack probe', priceCents: 1_234, stockOnHand: 5 });
    expect(product?.updatedAt).toBeInstanceOf(Date);
  });

  it('refuses negative stock (CHECK constraint)', async () => {
    await prisma.product.upsert({
      where: { sku },
      create: { sku, name: 'Stack probe', priceCents: 1_234, stockOnHand: 5 },
      update: {},
    });
    await expect(
      prisma.product.update({ where: { sku }, data: { stockOnHand: -1 } }),
    ).rejects.toThrow(/products_stock_non_negative/);
    expect((await prisma.product.findUnique({ where: { sku } }))?.stockOnHand).toBe(5);
  });
});

describe('migrateDeploy with a failing migration', () => {
  const database = `migrate_probe_${randomBytes(6).toString('hex')}`;
  const url = databaseUrlFor(database);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  const adminUrl = databaseUrlFor('postgres');

  const writeMigration = (name: string, sql: string) => {
    fs.mkdirSync(path.join(dir, name), { recursive: true });
    fs.writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  };
  const tableExists = (table: string) =>
    withClient(url, async (client) => {
      const { rows } = await client.query<{ found: string | null }>(
        'SELECT to_regclass($1) AS found',
        [table],
      );
      return rows[0]?.found !== null;
    });

  afterAll(async () => {
    await withClient(adminUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports the failure, then blocks every later deploy until it is resolved (P3009)', async () => {
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${database}"`));

    writeMigration('20250101000000_good', 'CREATE TABLE "good" ("id" INTEGER PRIMARY KEY);');
    writeMigration(
      '20250101000001_broken',
      'CREATE TABLE "half_done" ("id" INTEGER);\nALTER TABLE "no_such_table" ADD COLUMN "x" INTEGER;',
    );
    const first = migrateDeploy(url, dir);
    await expect(first).rejects.toThrow(MigrationError);
    await expect(first).rejects.toThrow(/20250101000001_broken failed: .*no_such_table/);
    expect(await tableExists('good')).toBe(true);

    // Fixing the file and adding a new migration is not enough: the failed row blocks the deploy.
    writeMigration('20250101000001_broken', 'CREATE TABLE "half_done" ("id" INTEGER);');
    writeMigration('20250101000002_later', 'CREATE TABLE "later" ("id" INTEGER);');
    const second = migrateDeploy(url, dir);
    await expect(second).rejects.toThrow(MigrationError);
    await expect(second).rejects.toThrow(/^P3009: .*\n.*`20250101000001_broken` migration failed/);
    expect(await tableExists('later')).toBe(false);
  });
});
