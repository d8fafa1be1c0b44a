import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import {
  VOIDED_REASON,
  type ChargeRecord,
  type GatewayStore,
  type Ledger,
  type NewCharge,
  type NewRefund,
  type Recorded,
  type RefundRecord,
} from './gateway.store.js';

const SCHEMA_SQL = `
  CREATE SCHEMA IF NOT EXISTS payment_gateway;
  CREATE TABLE IF NOT EXISTS payment_gateway.charges (
    charge_id text PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    customer_id text NOT NULL,
    card_token text NOT NULL,
    amount_cents integer NOT NULL CHECK (amount_cents > 0),
    status text NOT NULL CHECK (status IN ('captured', 'declined')),
    decline_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'declined') = (decline_reason IS NOT NULL))
  );
  CREATE TABLE IF NOT EXISTS payment_gateway.refunds (
    refund_id text PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    charge_idempotency_key text NOT NULL UNIQUE,
    charge_id text REFERENCES payment_gateway.charges (charge_id),
    amount_cents integer NOT NULL CHECK (amount_cents >= 0),
    status text NOT NULL CHECK (status IN ('refunded', 'voided')),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'refunded') = (charge_id IS NOT NULL))
  );
`;

const CHARGE_COLUMNS = `
  charge_id AS "chargeId", idempotency_key AS "idempotencyKey", customer_id AS "customerId",
  card_token AS "cardToken", amount_cents AS "amountCents", status, decline_reason AS "declineReason",
  created_at AS "createdAt"`;

const REFUND_COLUMNS = `
  refund_id AS "refundId", idempotency_key AS "idempotencyKey",
  charge_idempotency_key AS "chargeIdempotencyKey", charge_id AS "chargeId",
  amount_cents AS "amountCents", status, created_at AS "createdAt"`;

type Row<T extends { createdAt: string }> = Omit<T, 'createdAt'> & { createdAt: Date };

const toRecord = <T extends { createdAt: string }>(row: Row<T>): T =>
  ({ ...row, createdAt: row.createdAt.toISOString() }) as T;

type Queryable = Pool | PoolClient;

async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    // A connection that could not even roll back is discarded, not returned to the pool.
    client.release(broken);
  }
}

/**
 * Serialises every charge and refund aimed at one charge key until the transaction ends, so a charge
 * and a refund racing on the same key cannot both "win".
 */
async function lockChargeKey(client: PoolClient, chargeIdempotencyKey: string): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `payment_gateway.charge:${chargeIdempotencyKey}`,
  ]);
}

async function selectCharge(db: Queryable, column: 'idempotency_key' | 'charge_id', value: string) {
  const { rows } = await db.query<Row<ChargeRecord>>(
    `SELECT ${CHARGE_COLUMNS} FROM payment_gateway.charges WHERE ${column} = $1`,
    [value],
  );
  return rows[0] && toRecord(rows[0]);
}

async function selectRefund(
  db: Queryable,
  column: 'idempotency_key' | 'charge_idempotency_key',
  value: string,
) {
  const { rows } = await db.query<Row<RefundRecord>>(
    `SELECT ${REFUND_COLUMNS} FROM payment_gateway.refunds WHERE ${column} = $1`,
    [value],
  );
  return rows[0] && toRecord(rows[0]);
}

async function insertCharge(
  client: PoolClient,
  charge: NewCharge,
  declineReason: string | undefined,
) {
  const { rows } = await client.query<Row<ChargeRecord>>(
    `INSERT INTO payment_gateway.charges
       (charge_id, idempotency_key, customer_id, card_token, amount_cents, status, decline_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING ${CHARGE_COLUMNS}`,
    [
      `ch_${randomUUID()}`,
      charge.idempotencyKey,
      charge.customerId,
      charge.cardToken,
      charge.amountCents,
      declineReason === undefined ? 'captured' : 'declined',
      declineReason ?? null,
    ],
  );
  return rows[0] && toRecord(rows[0]);
}

async function insertRefund(
  client: PoolClient,
  refund: NewRefund,
  captured: ChargeRecord | undefined,
) {
  // No conflict target: a concurrent refund may have taken either unique key first.
  const { rows } = await client.query<Row<RefundRecord>>(
    `INSERT INTO payment_gateway.refunds
       (refund_id, idempotency_key, charge_idempotency_key, charge_id, amount_cents, status)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT DO NOTHING
     RETURNING ${REFUND_COLUMNS}`,
    [
      `re_${randomUUID()}`,
      refund.idempotencyKey,
      refund.chargeIdempotencyKey,
      captured?.chargeId ?? null,
      captured?.amountCents ?? 0,
      captured ? 'refunded' : 'voided',
    ],
  );
  return rows[0] && toRecord(rows[0]);
}

export interface PgGatewayStore extends GatewayStore {
  /** Creates the `payment_gateway` schema and its tables if they do not exist. */
  ensureSchema(): Promise<void>;
}

/** recordCharge inside its transaction, the charge key locked. */
async function recordChargeLocked(
  client: PoolClient,
  charge: NewCharge,
): Promise<Recorded<ChargeRecord>> {
  await lockChargeKey(client, charge.idempotencyKey);
  const existing = await selectCharge(client, 'idempotency_key', charge.idempotencyKey);
  if (existing) return { record: existing, replayed: true };
  const voided = await selectRefund(client, 'charge_idempotency_key', charge.idempotencyKey);
  const inserted = await insertCharge(
    client,
    charge,
    voided ? VOIDED_REASON : charge.declineReason,
  );
  if (inserted) return { record: inserted, replayed: false };
  const raced = await selectCharge(client, 'idempotency_key', charge.idempotencyKey);
  if (!raced) throw new Error(`charge ${charge.idempotencyKey} conflicted but cannot be found`);
  return { record: raced, replayed: true };
}

/** recordRefund inside its transaction, the charge key locked. */
async function recordRefundLocked(
  client: PoolClient,
  refund: NewRefund,
): Promise<Recorded<RefundRecord>> {
  await lockChargeKey(client, refund.chargeIdempotencyKey);
  const existing =
    (await selectRefund(client, 'idempotency_key', refund.idempotencyKey)) ??
    (await selectRefund(client, 'charge_idempotency_key', refund.chargeIdempotencyKey));
  if (existing) return { record: existing, replayed: true };
  const charge = await selectCharge(client, 'idempotency_key', refund.chargeIdempotencyKey);
  const captured = charge?.status === 'captured' ? charge : undefined;
  const inserted = await insertRefund(client, refund, captured);
  if (inserted) return { record: inserted, replayed: false };
  const raced = await selectRefund(client, 'idempotency_key', refund.idempotencyKey);
  if (!raced) throw new Error(`refund ${refund.idempotencyKey} conflicted but cannot be found`);
  return { record: raced, replayed: true };
}

async function selectLedger(client: PoolClient, keyPrefix: string): Promise<Ledger> {
  const pattern = `${keyPrefix.replace(/[\\%_]/g, '\\$&')}%`;
  const charges = await client.query<Row<ChargeRecord>>(
    `SELECT ${CHARGE_COLUMNS} FROM payment_gateway.charges WHERE idempotency_key LIKE $1 ORDER BY created_at, charge_id`,
    [pattern],
  );
  const refunds = await client.query<Row<RefundRecord>>(
    `SELECT ${REFUND_COLUMNS} FROM payment_gateway.refunds WHERE charge_idempotency_key LIKE $1 ORDER BY created_at, refund_id`,
    [pattern],
  );
  return { charges: charges.rows.map(toRecord), refunds: refunds.rows.map(toRecord) };
}

/** The gateway's store in Postgres: its own `payment_gateway` schema, one transaction per call. */
export function createPgGatewayStore(pool: Pool): PgGatewayStore {
  return {
    async ensureSchema() {
      await inTransaction(pool, async (client) => {
        // Concurrent CREATE ... IF NOT EXISTS can still collide; one gateway at a time creates.
        await client.query(
          "SELECT pg_advisory_xact_lock(hashtextextended('payment_gateway.schema', 0))",
        );
        await client.query(SCHEMA_SQL);
      });
    },

    recordCharge: (charge) => inTransaction(pool, (client) => recordChargeLocked(client, charge)),

    recordRefund: (refund) => inTransaction(pool, (client) => recordRefundLocked(client, refund)),

    findChargeByKey: (idempotencyKey) => selectCharge(pool, 'idempotency_key', idempotencyKey),

    findChargeById: (chargeId) => selectCharge(pool, 'charge_id', chargeId),

    ledger: (keyPrefix = '') =>
      // One snapshot, so a refund is never listed without the charge it refunded.
      inTransaction(
        pool,
        (client) => selectLedger(client, keyPrefix),
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      ),

    async ping() {
      await pool.query('SELECT 1');
    },
  };
}
