import { ApplicationFailure, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { createInventoryActivities } from '../../activities/inventory/inventory.activities.js';
import type {
  InventoryRepository,
  ProductRecord,
} from '../../activities/inventory/inventory.repository.js';
import { createOrderActivities } from '../../activities/orders/order.activities.js';
import type { OrderRecord, OrderRepository } from '../../activities/orders/order.repository.js';
import { createPaymentActivities } from '../../activities/payments/payment.activities.js';
import { PaymentGatewayRejectedError } from '../../activities/payments/payment.gateway.js';
import type {
  ChargeOutcome,
  ChargeRequest,
  PaymentGateway,
  RefundOutcome,
  RefundRequest,
} from '../../activities/payments/payment.port.js';
import type { PrismaClient } from '../../prisma/client.js';
import { ErrorType } from '../../workflows/contracts/errors.js';
import type { OrderStatus } from '../../workflows/orders/order.types.js';

const ORDER_ID = 'order-7f3a9c1e';
const WORKFLOW_ID = `order:${ORDER_ID}`;

/** The activity context a worker would give: the saga's workflow id is the correlation id. */
const activityEnv = () =>
  new MockActivityEnvironment(
    { workflowExecution: { workflowId: WORKFLOW_ID, runId: 'run-1' }, activityType: 'test' },
    { logger: quietLogger },
  );

/** Failing activities are expected here; the SDK would log each one. */
const noop = () => {};
const quietLogger: Logger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
};

interface OutboxRow {
  id: string;
  aggregateType: string;
  aggregateId: string;
  eventType: string;
  payload: Record<string, unknown>;
  correlationId: string | null;
}

/**
 * A Prisma client whose `$transaction` hands the callback a fake transaction that records outbox
 * rows. Rows written by a callback that throws are dropped, as a rollback would.
 */
function fakePrisma() {
  const outbox: OutboxRow[] = [];
  let transactions = 0;
  const tx = {
    outboxEvent: {
      async createMany({ data }: { data: OutboxRow[] }) {
        pending.push(...data);
        return { count: data.length };
      },
    },
  };
  let pending: OutboxRow[] = [];
  const prisma = {
    async $transaction<T>(fn: (client: typeof tx) => Promise<T>): Promise<T> {
      transactions += 1;
      pending = [];
      const result = await fn(tx);
      outbox.push(...pending);
      return result;
    },
  };
  return {
    prisma: prisma as unknown as PrismaClient,
    tx,
    outbox,
    transactions: () => transactions,
  };
}

type RepoCall = { method: string; db: unknown; args: unknown[] };

/** An order repository over an in-memory map that records which client each call used. */
function fakeOrders(initial: OrderRecord[] = []) {
  const rows = new Map(initial.map((order) => [order.id, { ...order }]));
  const calls: RepoCall[] = [];
  const orders: OrderRepository = {
    async findById(db, id) {
      calls.push({ method: 'findById', db, args: [id] });
      return rows.get(id) ?? null;
    },
    async lock(db, id) {
      calls.push({ method: 'lock', db, args: [id] });
      const row = rows.get(id);
      return row ? { status: row.status } : null;
    },
    async insert(db, order) {
      calls.push({ method: 'insert', db, args: [order] });
      rows.set(order.id, {
        ...order,
        status: 'PENDING',
        chargeId: null,
        refundId: null,
        failureReason: null,
        createdAt: '2026-11-21T10:00:00.000Z',
        updatedAt: '2026-11-21T10:00:00.000Z',
      });
    },
    async transition(db, id, from, to, data = {}) {
      calls.push({ method: 'transition', db, args: [id, from, to, data] });
      const row = rows.get(id);
      if (!row || !from.includes(row.status)) return false;
      Object.assign(row, { status: to }, data);
      return true;
    },
    async recordRefund(db, id, refundId) {
      calls.push({ method: 'recordRefund', db, args: [id, refundId] });
      const row = rows.get(id);
      if (!row || row.refundId !== null) return false;
      row.refundId = refundId;
      return true;
    },
  };
  return { orders, rows, calls };
}

const order = (status: OrderStatus, overrides: Partial<OrderRecord> = {}): OrderRecord => ({
  id: ORDER_ID,
  customerId: 'customer-42',
  status,
  totalCents: 2_500,
  chargeId: null,
  refundId: null,
  failureReason: null,
  items: [{ sku: 'SKU-COFFEE', quantity: 2, unitPriceCents: 1_250 }],
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:00.000Z',
  ...overrides,
});

/** A payment gateway that answers (or throws) as told and records each request. */
function fakeGateway({
  charge,
  refund,
}: {
  charge?: () => Promise<ChargeOutcome>;
  refund?: () => Promise<RefundOutcome>;
}) {
  const charges: ChargeRequest[] = [];
  const refunds: RefundRequest[] = [];
  const payments: PaymentGateway = {
    async charge(request) {
      charges.push(request);
      if (!charge) throw new Error('charge not expected');
      return charge();
    },
    async refund(request) {
      refunds.push(request);
      if (!refund) throw new Error('refund not expected');
      return refund();
    },
  };
  return { payments, charges, refunds };
}

const CHARGE_INPUT = {
  orderId: ORDER_ID,
  customerId: 'customer-42',
  amountCents: 2_500,
  cardToken: 'tok_visa',
  idempotencyKey: `${WORKFLOW_ID}:charge`,
};

const REFUND_INPUT = {
  orderId: ORDER_ID,
  idempotencyKey: `${WORKFLOW_ID}:refund`,
  chargeIdempotencyKey: `${WORKFLOW_ID}:charge`,
};

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the activity to fail');
}

function expectNonRetryable(error: unknown, type: string): ApplicationFailure {
  expect(error).toBeInstanceOf(ApplicationFailure);
  const failure = error as ApplicationFailure;
  expect(failure.type).toBe(type);
  expect(failure.nonRetryable).toBe(true);
  return failure;
}

describe('chargePayment', () => {
  function setup(charge: () => Promise<ChargeOutcome>, orders = fakeOrders([order('RESERVED')])) {
    const db = fakePrisma();
    const gateway = fakeGateway({ charge });
    const activities = createPaymentActivities({
      prisma: db.prisma,
      payments: gateway.payments,
      orders: orders.orders,
    });
    const run = () => activityEnv().run(activities.chargePayment, CHARGE_INPUT);
    return { db, gateway, orders, run };
  }

  it('sends the charge with the saga’s idempotency key, amount, card and customer', async () => {
    const { gateway, run } = setup(async () => ({
      kind: 'captured',
      chargeId: 'ch_1',
      amountCents: 2_500,
    }));
    await run();
    expect(gateway.charges).toEqual([
      {
        idempotencyKey: `${WORKFLOW_ID}:charge`,
        amountCents: 2_500,
        cardToken: 'tok_visa',
        customerId: 'customer-42',
      },
    ]);
  });

  it('turns a decline into a non-retryable PaymentDeclined with the reason, writing nothing', async () => {
    const { db, orders, run } = setup(async () => ({ kind: 'declined', reason: 'card_declined' }));
    const failure = expectNonRetryable(await failureOf(run()), ErrorType.PaymentDeclined);
    expect(failure.message).toContain('card_declined');
    expect(failure.details).toEqual([{ reason: 'card_declined' }]);
    expect(db.transactions()).toBe(0);
    expect(orders.calls).toEqual([]);
  });

  it('turns a request the gateway rejects into a non-retryable PaymentRejected', async () => {
    const { db, run } = setup(async () => {
      throw new PaymentGatewayRejectedError(422, { error: 'reused' }, 'POST /charges');
    });
    const failure = expectNonRetryable(await failureOf(run()), ErrorType.PaymentRejected);
    expect(failure.message).toContain('HTTP 422');
    expect(db.transactions()).toBe(0);
  });

  it('lets a transient error through unchanged, so Temporal retries it', async () => {
    const transient = new Error('payment gateway POST /charges failed: socket hang up');
    const { db, run } = setup(async () => {
      throw transient;
    });
    const error = await failureOf(run());
    expect(error).toBe(transient);
    expect(error).not.toBeInstanceOf(ApplicationFailure);
    expect(db.transactions()).toBe(0);
  });

  it('records a capture as PAID and a PaymentCaptured event in one transaction, correlated to the saga', async () => {
    const { db, orders, run } = setup(async () => ({
      kind: 'captured',
      chargeId: 'ch_1',
      amountCents: 2_500,
    }));
    expect(await run()).toEqual({ chargeId: 'ch_1' });

    expect(db.transactions()).toBe(1);
    const transition = orders.calls.find((c) => c.method === 'transition');
    expect(transition?.db).toBe(db.tx); // inside the transaction, not on the bare client
    expect(transition?.args).toEqual([ORDER_ID, ['RESERVED'], 'PAID', { chargeId: 'ch_1' }]);
    expect(orders.rows.get(ORDER_ID)).toMatchObject({ status: 'PAID', chargeId: 'ch_1' });

    expect(db.outbox).toEqual([
      {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        aggregateType: 'order',
        aggregateId: ORDER_ID,
        eventType: 'PaymentCaptured',
        payload: { orderId: ORDER_ID, chargeId: 'ch_1', amountCents: 2_500 },
        correlationId: WORKFLOW_ID,
        traceContext: null, // nothing is traced in this test
      },
    ]);
  });

  it('is idempotent: a retry after the capture was recorded returns the charge and writes no second event', async () => {
    const orders = fakeOrders([order('PAID', { chargeId: 'ch_1' })]);
    const { db, run } = setup(
      async () => ({ kind: 'captured', chargeId: 'ch_1', amountCents: 2_500 }),
      orders,
    );
    expect(await run()).toEqual({ chargeId: 'ch_1' });
    expect(db.outbox).toEqual([]);
  });
});

describe('refundPayment', () => {
  function setup(
    refund: () => Promise<RefundOutcome>,
    initial = order('PAID', { chargeId: 'ch_1' }),
  ) {
    const db = fakePrisma();
    const gateway = fakeGateway({ refund });
    const orders = fakeOrders([initial]);
    const activities = createPaymentActivities({
      prisma: db.prisma,
      payments: gateway.payments,
      orders: orders.orders,
    });
    const run = () => activityEnv().run(activities.refundPayment, REFUND_INPUT);
    return { db, gateway, orders, run };
  }

  it('asks the gateway to refund whatever was charged under the charge key', async () => {
    const { gateway, run } = setup(async () => ({ kind: 'voided' }));
    await run();
    expect(gateway.refunds).toEqual([
      { idempotencyKey: `${WORKFLOW_ID}:refund`, chargeIdempotencyKey: `${WORKFLOW_ID}:charge` },
    ]);
  });

  it('reports nothing refunded and writes nothing when the charge key was voided', async () => {
    const { db, orders, run } = setup(async () => ({ kind: 'voided' }));
    expect(await run()).toEqual({ refunded: false });
    expect(db.transactions()).toBe(0);
    expect(orders.calls).toEqual([]);
    expect(db.outbox).toEqual([]);
  });

  it('records a refund and a PaymentRefunded event in one transaction', async () => {
    const { db, orders, run } = setup(async () => ({
      kind: 'refunded',
      refundId: 're_1',
      chargeId: 'ch_1',
      amountCents: 2_500,
    }));
    expect(await run()).toEqual({ refunded: true });
    const recorded = orders.calls.find((c) => c.method === 'recordRefund');
    expect(recorded?.db).toBe(db.tx);
    expect(recorded?.args).toEqual([ORDER_ID, 're_1']);
    expect(db.outbox).toEqual([
      expect.objectContaining({
        aggregateId: ORDER_ID,
        eventType: 'PaymentRefunded',
        payload: { orderId: ORDER_ID, chargeId: 'ch_1', refundId: 're_1', amountCents: 2_500 },
        correlationId: WORKFLOW_ID,
      }),
    ]);
  });

  it('writes no second event when the refund was already recorded', async () => {
    const { db, run } = setup(
      async () => ({ kind: 'refunded', refundId: 're_1', chargeId: 'ch_1', amountCents: 2_500 }),
      order('PAID', { chargeId: 'ch_1', refundId: 're_1' }),
    );
    expect(await run()).toEqual({ refunded: true });
    expect(db.outbox).toEqual([]);
  });

  it('turns a rejected refund into a non-retryable PaymentRejected and lets transient errors through', async () => {
    const rejected = setup(async () => {
      throw new PaymentGatewayRejectedError(422, { error: 'reused' }, 'POST /refunds');
    });
    expectNonRetryable(await failureOf(rejected.run()), ErrorType.PaymentRejected);

    const transient = new Error('payment gateway POST /refunds failed: HTTP 503');
    const flaky = setup(async () => {
      throw transient;
    });
    expect(await failureOf(flaky.run())).toBe(transient);
  });
});

/** An inventory repository over in-memory products. */
function fakeInventory(products: ProductRecord[]) {
  const stock = new Map(products.map((p) => [p.sku, { ...p }]));
  const reservations: { orderId: string; sku: string; quantity: number; status: string }[] = [];
  const inventory: InventoryRepository = {
    async listProducts() {
      return [...stock.values()];
    },
    async findProducts(_db, skus) {
      return [...stock.values()].filter((p) => skus.includes(p.sku));
    },
    async reservationsOf(_db, orderId) {
      return reservations
        .filter((r) => r.orderId === orderId)
        .map(({ sku, quantity, status }) => ({
          sku,
          quantity,
          status: status as 'RESERVED' | 'RELEASED' | 'COMMITTED',
        }));
    },
    async takeStock(_db, { sku, quantity }) {
      const product = stock.get(sku);
      if (!product || product.stockOnHand < quantity) return false;
      product.stockOnHand -= quantity;
      return true;
    },
    async returnStock(_db, { sku, quantity }) {
      stock.get(sku)!.stockOnHand += quantity;
    },
    async insertReservations(_db, orderId, items, status) {
      for (const { sku, quantity } of items) reservations.push({ orderId, sku, quantity, status });
    },
    async setReservationStatus(_db, orderId, from, to) {
      const matching = reservations.filter((r) => r.orderId === orderId && r.status === from);
      for (const r of matching) r.status = to;
      return matching.length;
    },
  };
  return { inventory, stock, reservations };
}

const PRODUCTS: ProductRecord[] = [
  { sku: 'SKU-COFFEE', name: 'Coffee', priceCents: 1_250, stockOnHand: 10 },
  { sku: 'SKU-TEA', name: 'Tea', priceCents: 800, stockOnHand: 1 },
];

describe('createOrder', () => {
  function setup(existing: OrderRecord[] = []) {
    const db = fakePrisma();
    const orders = fakeOrders(existing);
    const { inventory } = fakeInventory(PRODUCTS);
    const activities = createOrderActivities({
      prisma: db.prisma,
      orders: orders.orders,
      inventory,
    });
    const run = (items: { sku: string; quantity: number }[]) =>
      activityEnv().run(activities.createOrder, {
        orderId: ORDER_ID,
        customerId: 'customer-42',
        items,
      });
    return { db, orders, run };
  }

  it.each([
    ['no items', []],
    [
      'duplicate SKUs',
      [
        { sku: 'SKU-COFFEE', quantity: 1 },
        { sku: 'SKU-COFFEE', quantity: 1 },
      ],
    ],
    ['a zero quantity', [{ sku: 'SKU-COFFEE', quantity: 0 }]],
    ['a negative quantity', [{ sku: 'SKU-COFFEE', quantity: -1 }]],
  ])(
    'rejects %s as a non-retryable InvalidOrder before touching the database',
    async (_case, items) => {
      const { db, orders, run } = setup();
      expectNonRetryable(await failureOf(run(items)), ErrorType.InvalidOrder);
      expect(db.transactions()).toBe(0);
      expect(orders.calls).toEqual([]);
    },
  );

  it('rejects an unknown SKU as a non-retryable InvalidOrder, writing nothing', async () => {
    const { db, orders, run } = setup();
    const failure = expectNonRetryable(
      await failureOf(run([{ sku: 'SKU-NOPE', quantity: 1 }])),
      ErrorType.InvalidOrder,
    );
    expect(failure.message).toContain('SKU-NOPE');
    expect(orders.calls.map((c) => c.method)).not.toContain('insert');
    expect(db.outbox).toEqual([]);
  });

  it('fixes prices now, totals them and writes OrderPlaced correlated to the saga', async () => {
    const { db, orders, run } = setup();
    const items = [
      { sku: 'SKU-COFFEE', quantity: 2 },
      { sku: 'SKU-TEA', quantity: 1 },
    ];
    expect(await run(items)).toEqual({ totalCents: 3_300 });
    expect(orders.calls.find((c) => c.method === 'insert')?.args).toEqual([
      {
        id: ORDER_ID,
        customerId: 'customer-42',
        totalCents: 3_300,
        items: [
          { sku: 'SKU-COFFEE', quantity: 2, unitPriceCents: 1_250 },
          { sku: 'SKU-TEA', quantity: 1, unitPriceCents: 800 },
        ],
      },
    ]);
    expect(db.outbox).toEqual([
      expect.objectContaining({
        eventType: 'OrderPlaced',
        aggregateId: ORDER_ID,
        correlationId: WORKFLOW_ID,
      }),
    ]);
  });

  it('is idempotent: a repeat returns the recorded total and inserts nothing', async () => {
    const { db, orders, run } = setup([order('RESERVED', { totalCents: 9_999 })]);
    expect(await run([{ sku: 'SKU-COFFEE', quantity: 2 }])).toEqual({ totalCents: 9_999 });
    expect(orders.calls.map((c) => c.method)).not.toContain('insert');
    expect(db.outbox).toEqual([]);
  });
});

describe('reserveInventory', () => {
  function setup(initial: OrderRecord[]) {
    const db = fakePrisma();
    const orders = fakeOrders(initial);
    const inv = fakeInventory(PRODUCTS);
    const activities = createInventoryActivities({
      prisma: db.prisma,
      inventory: inv.inventory,
      orders: orders.orders,
    });
    const run = () => activityEnv().run(activities.reserveInventory, { orderId: ORDER_ID });
    return { db, orders, inv, run };
  }

  it('turns a shortage into a non-retryable OutOfStock naming the SKU, and reserves nothing', async () => {
    const { db, inv, run } = setup([
      order('PENDING', {
        items: [
          { sku: 'SKU-COFFEE', quantity: 2, unitPriceCents: 1_250 },
          { sku: 'SKU-TEA', quantity: 5, unitPriceCents: 800 },
        ],
      }),
    ]);
    const failure = expectNonRetryable(await failureOf(run()), ErrorType.OutOfStock);
    expect(failure.message).toContain('SKU-TEA');
    expect(failure.details).toEqual([{ sku: 'SKU-TEA' }]);
    expect(inv.reservations).toEqual([]);
    expect(db.outbox).toEqual([]);
  });

  it('turns a missing order into a non-retryable InvalidOrder', async () => {
    const { run } = setup([]);
    expectNonRetryable(await failureOf(run()), ErrorType.InvalidOrder);
  });

  it('reserves every item, marks the order RESERVED and writes InventoryReserved', async () => {
    const { db, orders, inv, run } = setup([order('PENDING')]);
    await run();
    expect(inv.stock.get('SKU-COFFEE')?.stockOnHand).toBe(8);
    expect(inv.reservations).toEqual([
      { orderId: ORDER_ID, sku: 'SKU-COFFEE', quantity: 2, status: 'RESERVED' },
    ]);
    expect(orders.rows.get(ORDER_ID)?.status).toBe('RESERVED');
    expect(db.outbox.map((e) => [e.eventType, e.correlationId])).toEqual([
      ['InventoryReserved', WORKFLOW_ID],
    ]);
  });
});
