import type { HeldRequests, ProbedGateway } from './gateway.js';
import {
  BOOKINGS,
  EVENT_SEATS,
  ORDERS,
  SEAT_PRICE_CENTS,
  type Batch,
  type BookingSpec,
  type OrderSpec,
  type PlannedSaga,
  type Products,
} from './mix.js';
import { check } from './probes.js';

/** The round's customers, through the REST API: they order, book, pay and cancel as planned. */

type Api = (path: string, init?: RequestInit) => Promise<Response>;

const post = (api: Api, path: string, body: unknown, idempotencyKey?: string) =>
  api(path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
    },
    body: JSON.stringify(body),
  });

async function expectStatus(response: Response, expected: number, what: string) {
  const text = await response.text();
  check(response.status === expected, `${what} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Creates the round's event, then acts as the customers: places the orders, holds and pays for the
 * seats, cancels what is to be cancelled. Resolves once every request has its expected answer
 * (those waiting on a saga that lost its worker answer when a new worker has finished it).
 */
export async function launchBatch(
  api: Api,
  gateway: Pick<ProbedGateway, 'hold'>,
  batch: Batch,
  { products, eventStartsAt }: { products: Products; eventStartsAt: Date },
): Promise<{ eventId: string; answered: Promise<void> }> {
  const event = await expectStatus(
    await post(api, '/events', {
      title: `kill-resume round ${batch.round}`,
      startsAt: eventStartsAt.toISOString(),
      totalSeats: EVENT_SEATS,
      priceCents: SEAT_PRICE_CENTS,
    }),
    201,
    'POST /events',
  );
  const eventId = String(event.id);
  const answered = Promise.all([
    ...batch.orders.map((saga, n) => placeOrder(api, gateway, saga, ORDERS[n]!, products)),
    ...batch.bookings.map((saga, n) => bookSeats(api, saga, BOOKINGS[n]!, eventId)),
  ]).then(() => undefined);
  answered.catch(() => {}); // awaited by the round; keeps an early failure from being unhandled
  return { eventId, answered };
}

async function placeOrder(
  api: Api,
  gateway: Pick<ProbedGateway, 'hold'>,
  saga: PlannedSaga,
  spec: OrderSpec,
  products: Products,
) {
  // Its charge waits at the gateway until the cancel is in: cancelled mid-charge, every time.
  let charging: HeldRequests | undefined;
  if (spec.cancelMidCharge) charging = gateway.hold((request) => request.key === saga.chargeKey);
  try {
    await expectStatus(
      await post(
        api,
        '/orders',
        {
          customerId: saga.customerId,
          items: [{ sku: products[spec.item].sku, quantity: spec.quantity }],
          paymentToken: spec.token,
        },
        saga.id,
      ),
      202,
      `POST /orders (${saga.label})`,
    );
    if (!charging) return;
    await charging.arrival();
    await expectStatus(
      await post(api, `/orders/${saga.id}/cancel`, { reason: 'changed my mind mid-payment' }),
      202,
      `POST /orders/${saga.label}/cancel`,
    );
  } finally {
    charging?.release();
  }
}

async function bookSeats(api: Api, saga: PlannedSaga, spec: BookingSpec, eventId: string) {
  const held = await expectStatus(
    await post(
      api,
      '/bookings',
      { eventId, customerId: saga.customerId, seats: spec.seats },
      saga.id,
    ),
    201,
    `POST /bookings (${saga.label})`,
  );
  check(
    held.status === 'HELD' && held.totalCents === saga.totalCents,
    `booking ${saga.label}: ${JSON.stringify(held)}`,
  );
  if (!spec.token) return;
  const paid = await expectStatus(
    await post(api, `/bookings/${saga.id}/pay`, { paymentToken: spec.token }),
    spec.expect === 'FAILED' ? 402 : 200,
    `POST /bookings/${saga.label}/pay`,
  );
  check(
    paid.status === (spec.expect === 'FAILED' ? 'FAILED' : 'CONFIRMED'),
    `booking ${saga.label} paid: ${JSON.stringify(paid)}`,
  );
  if (!spec.cancelAfterConfirm) return;
  const cancelled = await expectStatus(
    await post(api, `/bookings/${saga.id}/cancel`, { reason: 'cannot come after all' }),
    200,
    `POST /bookings/${saga.label}/cancel`,
  );
  check(
    cancelled.status === 'CANCELLED' && cancelled.refunded === true,
    `booking ${saga.label} cancelled: ${JSON.stringify(cancelled)}`,
  );
}
