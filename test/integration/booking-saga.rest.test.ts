import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../../api/app.js';
import { checkConsistency } from '../../activities/ops/consistency.check.js';
import { httpLedgerSource } from '../../activities/payments/payment.ledger.js';
import type { PrismaClient } from '../../prisma/client.js';
import {
  buildApi,
  createClients,
  type Api,
  type Clients,
  type SagaWorkers,
} from '../../workers/composition/index.js';
import { bookingWorkflowId } from '../../workflows/contracts/names.js';
import {
  ledgerFor,
  recordHistory,
  startSagaWorkers,
  testConfig,
  waitUntil,
} from '../support/integration-helpers.js';
import { startRedisServer } from '../support/redis-server.js';

/**
 * The booking saga end to end through the REST API, on the real stack: the API and a saga worker run
 * in this process against the real Temporal dev server, Postgres and payment gateway, with a Redis
 * of the test's own that it stops and starts again.
 */

const env = inject('stackEnv');
const gatewayUrl = env.PAYMENT_GATEWAY_URL!;
// A queue of this file's own: only the worker below (whose cache is the test's Redis) runs these sagas.
const taskQueue = `booking-sagas-it-${randomUUID()}`;
const SHORT_HOLD_SECONDS = 2;

let clients: Clients;
let workers: SagaWorkers;
let api: Api;
let shortHoldApi: Api;
let prisma: PrismaClient;
let client: Client;
let redisServer: Awaited<ReturnType<typeof startRedisServer>>;
let app: App;
let shortHoldApp: App;

beforeAll(async () => {
  redisServer = await startRedisServer();
  const config = testConfig(env, {
    BOOKING_TASK_QUEUE: taskQueue,
    REDIS_URL: redisServer.url,
    EVENT_CACHE_TTL_SECONDS: '60',
    PAYMENT_GATEWAY_TIMEOUT_MS: '10000',
    BOOKING_HOLD_SECONDS: '600',
    BOOKING_PAYMENT_DEADLINE_SECONDS: '30',
  });
  clients = await createClients(config, { logger: pino({ level: 'silent' }) });
  ({
    prisma,
    temporal: { client },
  } = clients);
  workers = await startSagaWorkers(config, clients, { bothSagasOn: taskQueue, relay: false });
  api = buildApi(config, clients);
  shortHoldApi = buildApi({ ...config, BOOKING_HOLD_SECONDS: SHORT_HOLD_SECONDS }, clients);
  app = api.app;
  shortHoldApp = shortHoldApi.app;
});

afterAll(async () => {
  await workers?.stop();
  await api?.close();
  await shortHoldApi?.close();
  await clients?.close();
  await redisServer?.stop();
});

// ── helpers ───────────────────────────────────────────────────────────────────────────────────

const post = (target: App, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  target.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function createEvent(
  totalSeats: number,
  { priceCents = 1_500, startsInMs = 86_400_000 } = {},
): Promise<string> {
  const response = await post(app, '/events', {
    title: `integration ${randomUUID()}`,
    startsAt: new Date(Date.now() + startsInMs).toISOString(),
    totalSeats,
    priceCents,
  });
  expect(response.status, await response.clone().text()).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

const newKey = () => `it-${randomUUID()}`;

function book(
  eventId: string,
  { key = newKey(), seats = 1, customerId = 'customer-it', target = app } = {},
) {
  return post(target, '/bookings', { eventId, customerId, seats }, { 'idempotency-key': key });
}

async function held(
  eventId: string,
  options: { seats?: number; target?: App } = {},
): Promise<string> {
  const key = newKey();
  const response = await book(eventId, { ...options, key });
  expect(response.status, await response.clone().text()).toBe(201);
  return key;
}

const pay = (bookingId: string, paymentToken = 'tok_visa') =>
  post(app, `/bookings/${bookingId}/pay`, { paymentToken });
const cancel = (bookingId: string, reason?: string) =>
  post(app, `/bookings/${bookingId}/cancel`, reason ? { reason } : {});

async function getEvent(eventId: string) {
  const response = await app.request(`/events/${eventId}`);
  expect(response.status).toBe(200);
  return {
    cache: response.headers.get('x-cache'),
    availableSeats: ((await response.json()) as { availableSeats: number }).availableSeats,
  };
}

async function getBooking(bookingId: string) {
  const response = await app.request(`/bookings/${bookingId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as {
    status: string;
    chargeId: string | null;
    refundId: string | null;
    failureReason: string | null;
  };
}

const seatsOf = async (eventId: string) =>
  (await prisma.event.findUniqueOrThrow({ where: { id: eventId } })).availableSeats;

const eventTypesOf = async (bookingId: string) =>
  (
    await prisma.outboxEvent.findMany({
      where: { aggregateType: 'booking', aggregateId: bookingId },
      orderBy: { sequence: 'asc' },
    })
  ).map((e) => e.eventType);

const chargeKeyOf = (bookingId: string) => `${bookingWorkflowId(bookingId)}:charge`;

/** The consistency check's offenders that concern this test's event or bookings. */
async function offendersFor(eventId: string) {
  const bookingIds = new Set(
    (await prisma.booking.findMany({ where: { eventId }, select: { id: true } })).map((b) => b.id),
  );
  const { offenders } = await checkConsistency(prisma, httpLedgerSource(gatewayUrl));
  return offenders.filter(
    (o) =>
      ('eventId' in o && o.eventId === eventId) ||
      ('bookingId' in o && bookingIds.has(o.bookingId)),
  );
}

async function sagaEnded(bookingId: string) {
  const { status } = await client.workflow.getHandle(bookingWorkflowId(bookingId)).describe();
  return status.name === 'RUNNING' ? undefined : status.name;
}

// ── tests ─────────────────────────────────────────────────────────────────────────────────────

describe('booking saga through the REST API (real stack)', () => {
  it('hold → pay: confirmed, one captured charge, the whole event trail, availability cached and kept current', async () => {
    const eventId = await createEvent(3);
    expect(await getEvent(eventId)).toEqual({ cache: 'HIT', availableSeats: 3 }); // written through on create
    const key = await held(eventId, { seats: 2 });
    expect(await getEvent(eventId)).toEqual({ cache: 'HIT', availableSeats: 1 }); // the hold wrote the new count through

    const payment = await pay(key);
    expect(payment.status).toBe(200);
    const { chargeId } = (await payment.json()) as { chargeId: string };
    expect(await getBooking(key)).toMatchObject({ status: 'CONFIRMED', chargeId });

    const ledger = await ledgerFor(gatewayUrl, chargeKeyOf(key));
    expect(ledger.charges).toHaveLength(1);
    expect(ledger.charges[0]).toMatchObject({ chargeId, status: 'captured', amountCents: 3_000 });
    await waitUntil('the notification', async () =>
      (await eventTypesOf(key)).includes('CustomerNotified') ? true : undefined,
    );
    expect(await eventTypesOf(key)).toEqual([
      'SeatsHeld',
      'PaymentCaptured',
      'BookingConfirmed',
      'CustomerNotified',
    ]);
    expect(await offendersFor(eventId)).toEqual([]);
    await recordHistory(client, bookingWorkflowId(key), 'booking-saga-confirmed');
  });

  it('concurrent holds for the last seats: exactly the available number succeed, the rest are sold out', async () => {
    const eventId = await createEvent(5);
    const responses = await Promise.all(Array.from({ length: 20 }, () => book(eventId)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    const soldOut = (await responses.find((r) => r.status === 409)!.json()) as {
      error: string;
      availableSeats: number;
    };
    expect(soldOut.error).toMatch(/^sold out/);
    expect(await seatsOf(eventId)).toBe(0);
    expect(await prisma.booking.count({ where: { eventId, status: 'HELD' } })).toBe(5);
    expect(await offendersFor(eventId)).toEqual([]);

    const soldOutKey = (
      await prisma.booking.findFirstOrThrow({ where: { eventId, status: 'FAILED' } })
    ).id;
    await recordHistory(client, bookingWorkflowId(soldOutKey), 'booking-saga-sold-out');
    // Give the seats back so the sagas end.
    const heldIds = (
      await prisma.booking.findMany({ where: { eventId, status: 'HELD' }, select: { id: true } })
    ).map((b) => b.id);
    for (const id of heldIds) expect((await cancel(id)).status).toBe(200);
    expect(await seatsOf(eventId)).toBe(5);
  });

  it('a hold that expires gives the seats back; paying afterwards is refused and charges nothing', async () => {
    const eventId = await createEvent(2);
    const key = await held(eventId, { seats: 2, target: shortHoldApp });
    expect(await seatsOf(eventId)).toBe(0);
    await waitUntil('the hold to expire', () => sagaEnded(key), 15_000);
    expect(await getBooking(key)).toMatchObject({ status: 'EXPIRED' });
    expect(await seatsOf(eventId)).toBe(2);

    const late = await pay(key);
    expect(late.status).toBe(409);
    expect(((await late.json()) as { error: string }).error).toMatch(
      /expired.*nothing was charged/,
    );
    expect((await ledgerFor(gatewayUrl, chargeKeyOf(key))).charges).toEqual([]);
    expect(await eventTypesOf(key)).toEqual(['SeatsHeld', 'SeatsReleased', 'BookingExpired']);
    expect(await offendersFor(eventId)).toEqual([]);
    await recordHistory(client, bookingWorkflowId(key), 'booking-saga-expired');
  });

  it('a declined card: 402 with the reason, the seats are released, the charge key voided', async () => {
    const eventId = await createEvent(2);
    const key = await held(eventId);
    const payment = await pay(key, 'tok_declined');
    expect(payment.status).toBe(402);
    expect(await payment.json()).toMatchObject({
      status: 'FAILED',
      type: 'PaymentDeclined',
      error: 'payment declined: card_declined',
    });
    expect(await getBooking(key)).toMatchObject({
      status: 'FAILED',
      failureReason: 'payment declined: card_declined',
    });
    expect(await seatsOf(eventId)).toBe(2);
    const ledger = await ledgerFor(gatewayUrl, chargeKeyOf(key));
    expect(ledger.charges.map((c) => c.status)).toEqual(['declined']);
    expect(ledger.refunds.map((r) => r.status)).toEqual(['voided']);
    expect(await offendersFor(eventId)).toEqual([]);
    await recordHistory(client, bookingWorkflowId(key), 'booking-saga-declined');
  });

  it('cancel after confirmation refunds the charge and returns the seats', async () => {
    const eventId = await createEvent(4);
    const key = await held(eventId, { seats: 3 });
    expect((await pay(key)).status).toBe(200);
    const cancelled = await cancel(key, 'cannot make it');
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toEqual({ bookingId: key, status: 'CANCELLED', refunded: true });
    expect(await getBooking(key)).toMatchObject({
      status: 'CANCELLED',
      failureReason: 'cannot make it',
    });
    expect(await seatsOf(eventId)).toBe(4);
    const ledger = await ledgerFor(gatewayUrl, chargeKeyOf(key));
    expect(ledger.refunds).toHaveLength(1);
    expect(ledger.refunds[0]).toMatchObject({
      status: 'refunded',
      chargeId: ledger.charges[0]!.chargeId,
    });
    expect((await cancel(key)).status).toBe(409);
    expect(await offendersFor(eventId)).toEqual([]);
    await waitUntil('the saga to end', () => sagaEnded(key));
    await recordHistory(client, bookingWorkflowId(key), 'booking-saga-cancelled-after-confirm');
  });

  it('cancel while held releases the seats; cancel during a slow payment is refused until it has finished', async () => {
    const eventId = await createEvent(2);
    const first = await held(eventId);
    expect(await (await cancel(first)).json()).toEqual({
      bookingId: first,
      status: 'CANCELLED',
      refunded: false,
    });
    expect(await seatsOf(eventId)).toBe(2);

    const second = await held(eventId);
    const slowPayment = pay(second, 'tok_slow'); // the gateway takes ~3 s
    await waitUntil('the charge to start', async () =>
      (await client.workflow.getHandle(bookingWorkflowId(second)).describe()).raw.pendingActivities
        ?.length
        ? true
        : undefined,
    );
    const refused = await cancel(second);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toMatch(/being paid for/);
    expect((await slowPayment).status).toBe(200);
    expect((await cancel(second)).status).toBe(200);
    expect(await seatsOf(eventId)).toBe(2);
    expect(await offendersFor(eventId)).toEqual([]);
  });

  it('a repeated POST with the same key books once; a different body under it is refused', async () => {
    const eventId = await createEvent(5);
    const key = newKey();
    expect((await book(eventId, { key, seats: 2 })).status).toBe(201);
    const again = await book(eventId, { key, seats: 2 });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toMatchObject({ id: key, status: 'HELD', seats: 2 });
    expect((await book(eventId, { key, seats: 3 })).status).toBe(422);
    expect(await seatsOf(eventId)).toBe(3);
    expect((await cancel(key)).status).toBe(200);
  });

  it('with Redis stopped mid-run, reads come from Postgres (X-Cache: BYPASS) and bookings go on; the cache resumes when it returns', async () => {
    const eventId = await createEvent(10);
    expect((await getEvent(eventId)).cache).toBe('HIT');
    await redisServer.stop();
    try {
      expect(await getEvent(eventId)).toEqual({ cache: 'BYPASS', availableSeats: 10 });
      const key = await held(eventId, { seats: 4 }); // its write-through fails quietly
      expect(await getEvent(eventId)).toEqual({ cache: 'BYPASS', availableSeats: 6 });
      expect((await pay(key)).status).toBe(200);
    } finally {
      await redisServer.start();
    }
    // The client reconnects by itself; the emptied cache fills again from Postgres.
    const first = await waitUntil('the cache to come back', async () => {
      const read = await getEvent(eventId);
      return read.cache === 'BYPASS' ? undefined : read;
    });
    expect(first).toEqual({ cache: 'MISS', availableSeats: 6 });
    expect(await getEvent(eventId)).toEqual({ cache: 'HIT', availableSeats: 6 });
    expect(await offendersFor(eventId)).toEqual([]);
  });

  it('bad input is refused with 400 and writes nothing', async () => {
    const before = await prisma.booking.count();
    const unknownEvent = await book(randomUUID());
    expect(unknownEvent.status).toBe(400);
    expect(await unknownEvent.json()).toMatchObject({ issues: [{ field: 'eventId' }] });
    expect((await book('not-a-uuid')).status).toBe(400);
    expect((await post(app, '/events', { title: '', totalSeats: -1 })).status).toBe(400);
    expect(await prisma.booking.count()).toBe(before);
  });
});
