import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { DEMO_PRODUCTS } from '../../prisma/demo-products.js';
import { MIGRATIONS_DIR } from '../../prisma/migration-runner.js';
import { withDatabase } from '../support/harness.js';

/**
 * `npm run db:reset`, run as users run it, on a database of this file's own: the target is the
 * database DATABASE_URL names, so npm start's is never touched.
 */

const stackDatabase = inject('stackEnv').DATABASE_URL!;
const name = `db_reset_probe_${randomBytes(6).toString('hex')}`;
const url = withDatabase(stackDatabase, name);
const MIGRATIONS = fs
  .readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory()).length;

const run = promisify(execFile);

function dbReset(env: Record<string, string>) {
  return run('npm', ['run', '--silent', 'db:reset'], {
    env: { ...process.env, NODE_ENV: 'development', ...env },
    timeout: 60_000,
  });
}

async function query<T extends pg.QueryResultRow>(target: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const products = () =>
  query<{ sku: string; stock: number }>(
    url,
    'SELECT sku, stock_on_hand AS stock FROM products ORDER BY sku',
  );

const demoCatalogue = DEMO_PRODUCTS.map(({ sku, stockOnHand }) => ({
  sku,
  stock: stockOnHand,
})).sort((a, b) => a.sku.localeCompare(b.sku));

afterAll(async () => {
  await query(
    withDatabase(stackDatabase, 'postgres'),
    `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`,
  );
});

describe('npm run db:reset', () => {
  it('makes the database anew: migrated, an empty gateway ledger, only the demo catalogue', async () => {
    const first = await dbReset({ DATABASE_URL: url });
    expect(first.stdout.trim()).toBe(
      `reset database ${name}: dropped and recreated, ${MIGRATIONS} migration(s) applied, ` +
        `${DEMO_PRODUCTS.length} demo product(s) seeded`,
    );
    expect(await products()).toEqual(demoCatalogue);

    // What a test run or a demo leaves behind, and a connection still open.
    await query(
      url,
      `INSERT INTO products (sku, name, price_cents, stock_on_hand) VALUES ('IT-LEFTOVER', 'x', 100, 1);
       UPDATE products SET stock_on_hand = 0 WHERE sku = 'SKU-KETTLE';
       INSERT INTO payment_gateway.charges (charge_id, idempotency_key, customer_id, card_token, amount_cents, status)
         VALUES ('ch_leftover', 'order:leftover:charge', 'c', 'tok_visa', 100, 'captured')`,
    );
    const leftOpen = new pg.Client({ connectionString: url });
    leftOpen.on('error', () => {}); // ended by the reset, as intended
    await leftOpen.connect();

    const second = await dbReset({ DATABASE_URL: url });
    expect(second.stdout).toContain(`reset database ${name}: dropped and recreated`);
    expect(await products()).toEqual(demoCatalogue);
    expect(await query(url, 'SELECT * FROM payment_gateway.charges')).toEqual([]);
    await leftOpen.end().catch(() => {});
  });

  it('refuses NODE_ENV=production and a database on another machine, and changes nothing', async () => {
    await query(
      url,
      "INSERT INTO products (sku, name, price_cents, stock_on_hand) VALUES ('IT-KEPT', 'x', 100, 1)",
    );
    await expect(dbReset({ DATABASE_URL: url, NODE_ENV: 'production' })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('db:reset refused: NODE_ENV is production'),
    });
    const remote = 'postgresql://postgres:postgres@db.example.invalid:5432/durable_sagas';
    await expect(dbReset({ DATABASE_URL: remote })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        'db:reset refused: DATABASE_URL points at db.example.invalid',
      ),
    });
    expect((await products()).map((p) => p.sku)).toContain('IT-KEPT');
  });
});
