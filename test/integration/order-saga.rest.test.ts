import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { OrderRecord } from '../../activities/orders/order.repository.js';
import type { App } from '../../api/app.js';
import { createTemporalOrderCommands } from '../../api/orders/temporal-order.commands.js';
import type { PrismaClient } from '../../prisma/client.js';
import {
  buildApi,
  createClients,
  type Api,
  type Clients,
  type SagaWorkers,
} from '../../workers/composition/index.js';
import { orderStatusQuery } from '../../workflows/orders/order.messages.js';
import { orderWorkflowId } from '../../workflows/contracts/names.js';
import type { orderSaga } from '../../workflows/orders/order-saga.js';
import {
  ledgerFor as ledgerForKey,
  recordHistory as saveHistory,
  startSagaWorkers,
  testConfig,
  waitUntil,
} from '../support/integration-helpers.js';

/**
 * The order saga end to end through the REST API, on the real stack: the API and a saga worker run
 * in this process, against the real Temporal dev server, Postgres and payment gateway.
 */

const env = inject('stackEnv');
const gatewayUrl = env.PAYMENT_GATEWAY_URL!;

let clients: Clients;
let workers: SagaWorkers;
let api: Api;
let prisma: PrismaClient;
let client: Client;
let app: App;
let orderTaskQueue: string;

beforeAll(async () => {
  const config = testConfig(env, { ORDER_WAIT_TIMEOUT_MS: '20000' });
  orderTaskQueue = config.ORDER_TASK_QUEUE;
  clients = await createClients(config, { logger: pino({ level: 'silent' }) });
  ({
    prisma,
    temporal: { client },
  } = clients);
  // The run's order queue (testConfig's default): no worker of `npm start` polls it.
  workers = await startSagaWorkers(config, clients, {
    bothSagasOn: config.ORDER_TASK_QUEUE,
    relay: false,
  });
  api = buildApi(config, clients);
  app = api.app;
});

afterAll(async () => {
  await workers?.stop();
  await api?.close();
  await clients?.close();
});

// ── helpers ───────────────────────────────────────────────────────────────────────────────────

const newKey = () => `it-${randomUUID()}`;

async function createProduct(stockOnHand: number, priceCents = 1_250): Promise<string> {
  const sku = `IT-${randomUUID()}`;
  await prisma.product.create({
    data: { sku, name: `integration ${sku}`, priceCents, stockOnHand },
  });
  return sku;
}

async function stockOf(sku: string): Promise<number> {
  const product = await prisma.product.findUniqueOrThrow({ where: { sku } });
  return product.stockOnHand;
}

interface PlaceOrder {
  key: string;
  sku: string;
  quantity?: number;
  paymentToken?: string;
  customerId?: string;
  wait?: boolean;
}

function postOrder({
  key,
  sku,
  quantity = 1,
  paymentToken = 'tok_visa',
  customerId = 'customer-it',
  wait = false,
}: PlaceOrder) {
  return app.request(`/orders${wait ? '?wait=true' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ customerId, items: [{ sku, quantity }], paymentToken }),
  });
}

type OrderView = OrderRecord & { workflowId: string };

/** POST with ?wait=true; the saga must end within the API's wait timeout. */
async function placeAndWait(order: Omit<PlaceOrder, 'wait'>): Promise<OrderView> {
  const response = await postOrder({ ...order, wait: true });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as OrderView;
}

async function getOrder(id: string): Promise<OrderView> {
  const response = await app.request(`/orders/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as OrderView;
}

const chargeKeyOf = (orderId: string) => `${orderWorkflowId(orderId)}:charge`;

const ledgerFor = (chargeKey: string) => ledgerForKey(gatewayUrl, chargeKey);

async function outboxFor(orderId: string) {
  const events = await prisma.outboxEvent.findMany({
    where: { aggregateType: 'order', aggregateId: orderId },
    orderBy: { sequence: 'asc' },
  });
  return events.map((e) => ({
    eventType: e.eventType,
    correlationId: e.correlationId,
    payload: e.payload,
  }));
}

const eventTypes = async (orderId: string) => (await outboxFor(orderId)).map((e) => e.eventType);

async function reservationsOf(orderId: string) {
  return prisma.inventoryReservation.findMany({
    where: { orderId },
    select: { sku: true, quantity: true, status: true },
  });
}

/** Saves the saga's history for the replay tests when RECORD_HISTORIES=1. */
const recordHistory = (caseName: string, orderId: string) =>
  saveHistory(client, orderWorkflowId(orderId), `order-saga-${caseName}`);

/** Attempt number of the last (successful) chargePayment attempt, from the saga's history. */
async function chargeAttempts(orderId: string): Promise<number> {
  const { events } = await client.workflow.getHandle(orderWorkflowId(orderId)).fetchHistory();
  const history = events ?? [];
  const scheduled = history.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'chargePayment',
  );
  expect(scheduled).toBeDefined();
  const started = history.find(
    (e) =>
      e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() ===
      scheduled!.eventId?.toString(),
  );
  return started?.activityTaskStartedEventAttributes?.attempt ?? 0;
}

// ── tests ─────────────────────────────────────────────────────────────────────────────────────

describe('order saga through the REST API (real stack)', () => {
  it('happy path: confirms, takes the stock, charges once and writes the whole event trail', async () => {
    const sku = await createProduct(10, 1_250);
    const key = newKey();
    const order = await placeAndWait({ key, sku, quantity: 2 });

    expect(order).toMatchObject({
      id: key,
      workflowId: `order:${key}`,
      status: 'CONFIRMED',
      totalCents: 2_500,
      items: [{ sku, quantity: 2, unitPriceCents: 1_250 }],
      refundId: null,
      failureReason: null,
    });
    expect(await stockOf(sku)).toBe(8);
    expect(await reservationsOf(key)).toEqual([{ sku, quantity: 2, status: 'COMMITTED' }]);

    const { charges, refunds } = await ledgerFor(chargeKeyOf(key));
    expect(charges).toEqual([
      expect.objectContaining({ status: 'captured', amountCents: 2_500, chargeId: order.chargeId }),
    ]);
    expect(refunds).toEqual([]);

    const events = await outboxFor(key);
    expect(events.map((e) => e.eventType)).toEqual([
      'OrderPlaced',
      'InventoryReserved',
      'PaymentCaptured',
      'OrderConfirmed',
      'CustomerNotified',
    ]);
    for (const event of events) expect(event.correlationId).toBe(`order:${key}`);

    expect(await getOrder(key)).toEqual(order);
    await recordHistory('happy', key);
  });

  it('out of stock: fails with the reason, leaves the stock alone and charges nothing', async () => {
    const sku = await createProduct(1);
    const key = newKey();
    const order = await placeAndWait({ key, sku, quantity: 2 });

    expect(order.status).toBe('FAILED');
    expect(order.failureReason).toContain('out of stock');
    expect(order.failureReason).toContain(sku);
    expect(await stockOf(sku)).toBe(1);
    expect(await ledgerFor(chargeKeyOf(key))).toEqual({ charges: [], refunds: [] });
    expect(await eventTypes(key)).toEqual(['OrderPlaced', 'OrderFailed']);
    await recordHistory('out-of-stock', key);
  });

  it('declined card: fails, returns the stock, and the gateway holds a declined charge only', async () => {
    const sku = await createProduct(5);
    const key = newKey();
    const order = await placeAndWait({ key, sku, quantity: 3, paymentToken: 'tok_declined' });

    expect(order.status).toBe('FAILED');
    expect(order.failureReason).toContain('card_declined');
    expect(order.chargeId).toBeNull();
    expect(await stockOf(sku)).toBe(5);
    expect(await reservationsOf(key)).toEqual([{ sku, quantity: 3, status: 'RELEASED' }]);

    const { charges } = await ledgerFor(chargeKeyOf(key));
    expect(charges).toEqual([
      expect.objectContaining({ status: 'declined', declineReason: 'card_declined' }),
    ]);
    expect(charges.filter((c) => c.status === 'captured')).toEqual([]);

    expect(await eventTypes(key)).toEqual([
      'OrderPlaced',
      'InventoryReserved',
      'InventoryReleased',
      'OrderFailed',
    ]);
    await recordHistory('declined', key);
  });

  it('charge captured but its response dropped: the retry finds the one charge; the order is confirmed', async () => {
    const sku = await createProduct(5);
    const key = newKey();
    const order = await placeAndWait({ key, sku, paymentToken: 'tok_drop_response' });

    expect(order.status).toBe('CONFIRMED');
    const { charges, refunds } = await ledgerFor(chargeKeyOf(key));
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ status: 'captured', chargeId: order.chargeId });
    expect(refunds).toEqual([]);
    // The first attempt really lost its response: the charge succeeded on a retry.
    expect(await chargeAttempts(key)).toBeGreaterThanOrEqual(2);
    expect((await eventTypes(key)).filter((t) => t === 'PaymentCaptured')).toHaveLength(1);
    expect(await stockOf(sku)).toBe(4);
    await recordHistory('drop-response', key);
  });

  it('a repeated POST with the same key starts no second saga and charges once', async () => {
    const sku = await createProduct(5);
    const key = newKey();

    const first = await postOrder({ key, sku });
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const second = await postOrder({ key, sku });
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('location')).toBe(`/orders/${key}`);

    // The same key for a different request is refused outright.
    const different = await postOrder({ key, sku, quantity: 2 });
    expect(different.status).toBe(422);

    const third = await postOrder({ key, sku, wait: true });
    expect(third.status).toBe(200);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(((await third.json()) as OrderView).status).toBe('CONFIRMED');

    const runs = await waitUntil('the saga to be listed', async () => {
      const found = [];
      for await (const info of client.workflow.list({
        query: `WorkflowId = '${orderWorkflowId(key)}'`,
      })) {
        found.push(info);
      }
      return found.length > 0 && found.every((info) => info.status.name !== 'RUNNING')
        ? found
        : undefined;
    });
    expect(runs).toHaveLength(1);
    expect((await ledgerFor(chargeKeyOf(key))).charges).toHaveLength(1);
    expect(await stockOf(sku)).toBe(4);
  });

  it('cancel while a slow payment is in flight: cancelled, stock returned, charge refunded', async () => {
    const sku = await createProduct(5);
    const key = newKey();
    const placed = await postOrder({ key, sku, quantity: 2, paymentToken: 'tok_slow' });
    expect(placed.status).toBe(202);

    // Reserved and past the checkpoint: the charge (≈3 s at the gateway) is now in flight.
    const handle = client.workflow.getHandle<typeof orderSaga>(orderWorkflowId(key));
    await waitUntil('the saga to start charging', async () => {
      const state = await handle.query(orderStatusQuery);
      return state.status === 'RESERVED' ? state : undefined;
    });

    const cancel = await app.request(`/orders/${key}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'changed my mind' }),
    });
    expect(cancel.status).toBe(202);

    expect(await handle.result()).toEqual({ orderId: key, status: 'CANCELLED' });
    const order = await getOrder(key);
    expect(order.status).toBe('CANCELLED');
    expect(await stockOf(sku)).toBe(5);
    expect(await reservationsOf(key)).toEqual([{ sku, quantity: 2, status: 'RELEASED' }]);

    // Never captured without a refund.
    const { charges, refunds } = await ledgerFor(chargeKeyOf(key));
    expect(charges).toHaveLength(1);
    expect(refunds).toHaveLength(1);
    if (charges[0]!.status === 'captured') {
      expect(refunds[0]).toMatchObject({ status: 'refunded', chargeId: charges[0]!.chargeId });
      expect(order.refundId).toBe(refunds[0]!.refundId);
    } else {
      expect(refunds[0]?.status).toBe('voided');
    }
    // The charge was in flight when the cancel arrived, so it did capture and was refunded.
    expect(charges[0]?.status).toBe('captured');

    const events = await eventTypes(key);
    expect(events.slice(-3)).toEqual(['PaymentRefunded', 'InventoryReleased', 'OrderCancelled']);

    // Too late now: the saga has ended.
    const again = await app.request(`/orders/${key}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
    await recordHistory('cancel', key);
  });

  it('concurrent orders for the last units: exactly as many confirmed as there was stock, never negative', async () => {
    const sku = await createProduct(5);
    const keys = Array.from({ length: 10 }, newKey);
    const orders = await Promise.all(keys.map((key) => placeAndWait({ key, sku, quantity: 1 })));

    const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
    const failed = orders.filter((o) => o.status === 'FAILED');
    expect(confirmed).toHaveLength(5);
    expect(failed).toHaveLength(5);
    for (const order of failed) expect(order.failureReason).toContain('out of stock');
    expect(await stockOf(sku)).toBe(0);

    const reservations = await prisma.inventoryReservation.findMany({ where: { sku } });
    expect(reservations.filter((r) => r.status === 'COMMITTED')).toHaveLength(5);
    expect(reservations.filter((r) => r.status === 'RESERVED')).toEqual([]);

    for (const order of confirmed) {
      const { charges } = await ledgerFor(chargeKeyOf(order.id));
      expect(charges).toEqual([
        expect.objectContaining({ status: 'captured', chargeId: order.chargeId }),
      ]);
    }
    for (const order of failed) {
      expect((await ledgerFor(chargeKeyOf(order.id))).charges).toEqual([]);
    }
  });

  // The API checks SKUs before it starts a saga, but a product can go between that check and the
  // saga's first step (or a saga can be started through OrderCommands by another caller). The saga
  // then fails in createOrder, before any order row exists, and GET /orders/:id falls back to
  // "the saga exists, so PENDING" — forever, for a saga that has already failed.
  it('an order whose saga failed before writing its row is not reported as PENDING forever', async () => {
    const key = newKey();
    // On the queue the test's worker polls (the default one belongs to npm start's workers).
    const commands = createTemporalOrderCommands(client, { taskQueue: orderTaskQueue });
    const placed = await commands.placeOrder(
      {
        orderId: key,
        customerId: 'customer-it',
        items: [{ sku: `IT-GONE-${randomUUID()}`, quantity: 1 }],
        paymentToken: 'tok_visa',
      },
      'fingerprint',
    );
    expect(placed).toEqual({ kind: 'started' });
    expect(await commands.waitForEnd(key, 20_000)).toBe(true);
    const { status } = await client.workflow.getHandle(orderWorkflowId(key)).describe();
    expect(status.name).toBe('FAILED');

    const response = await app.request(`/orders/${key}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as OrderView).status).toBe('FAILED');
  });

  it('GET /products lists a product with its current stock', async () => {
    const sku = await createProduct(7, 999);
    const response = await app.request('/products');
    expect(response.status).toBe(200);
    const products = (await response.json()) as { sku: string }[];
    expect(products).toContainEqual({
      sku,
      name: `integration ${sku}`,
      priceCents: 999,
      stockOnHand: 7,
    });
  });
});
