import type { PrismaClient } from '../../../prisma/client.js';
import { bookingWorkflowId, orderWorkflowId } from '../../../workflows/contracts/names.js';
import type { HeldRequests, ProbedGateway } from './gateway.js';
import { check } from './probes.js';

/**
 * The sagas each round of the kill-resume scenario launches through the REST API: orders and
 * bookings that confirm, fail (and compensate), are cancelled (and refunded), or expire.
 */

export type FinalStatus = 'CONFIRMED' | 'FAILED' | 'CANCELLED' | 'EXPIRED';

export interface PlannedSaga {
  /** Short name in the narration: o1…o6, b1…b5. */
  label: string;
  kind: 'order' | 'booking';
  id: string;
  workflowId: string;
  /** What the customer does, in a few words. */
  story: string;
  expect: FinalStatus;
  customerId: string;
  totalCents: number;
  /** A charge the gateway captures for it (refunded when `refunded`). */
  captured: boolean;
  refunded: boolean;
  chargeKey: string;
  refundKey: string;
}

export interface Products {
  /** Plenty of stock. */
  plenty: { sku: string; priceCents: number; stock: number };
  /** Less stock than one order asks for. */
  scarce: { sku: string; priceCents: number; stock: number };
}

export const SEAT_PRICE_CENTS = 2_500;
export const EVENT_SEATS = 20;

/** The demo's products, created in the (scratch) database directly: the API has no route for it. */
export async function createProducts(prisma: PrismaClient, runId: string): Promise<Products> {
  const products: Products = {
    plenty: { sku: `KR-${runId}-PLENTY`, priceCents: 1_250, stock: 1_000 },
    scarce: { sku: `KR-${runId}-SCARCE`, priceCents: 900, stock: 2 },
  };
  await prisma.product.createMany({
    data: Object.values(products).map(({ sku, priceCents, stock }) => ({
      sku,
      name: `kill-resume ${sku}`,
      priceCents,
      stockOnHand: stock,
    })),
  });
  return products;
}

interface OrderSpec {
  story: string;
  expect: FinalStatus;
  token: string;
  item: 'plenty' | 'scarce';
  quantity: number;
  cancelMidCharge?: boolean;
}

const ORDERS: OrderSpec[] = [
  { story: 'pays', expect: 'CONFIRMED', token: 'tok_visa', item: 'plenty', quantity: 1 },
  { story: 'pays', expect: 'CONFIRMED', token: 'tok_visa', item: 'plenty', quantity: 2 },
  { story: 'pays', expect: 'CONFIRMED', token: 'tok_visa', item: 'plenty', quantity: 3 },
  { story: 'card declined', expect: 'FAILED', token: 'tok_declined', item: 'plenty', quantity: 1 },
  {
    story: 'cancelled while charging',
    expect: 'CANCELLED',
    token: 'tok_visa',
    item: 'plenty',
    quantity: 2,
    cancelMidCharge: true,
  },
  { story: 'out of stock', expect: 'FAILED', token: 'tok_visa', item: 'scarce', quantity: 3 },
];

interface BookingSpec {
  story: string;
  expect: FinalStatus;
  seats: number;
  token?: string;
  cancelAfterConfirm?: boolean;
}

const BOOKINGS: BookingSpec[] = [
  { story: 'pays', expect: 'CONFIRMED', seats: 2, token: 'tok_visa' },
  { story: 'pays', expect: 'CONFIRMED', seats: 1, token: 'tok_visa' },
  { story: 'card declined', expect: 'FAILED', seats: 2, token: 'tok_declined' },
  {
    story: 'cancelled once confirmed',
    expect: 'CANCELLED',
    seats: 3,
    token: 'tok_visa',
    cancelAfterConfirm: true,
  },
  { story: 'never pays', expect: 'EXPIRED', seats: 2 },
];

export interface Batch {
  round: number;
  customerId: string;
  sagas: PlannedSaga[];
  orders: PlannedSaga[];
  bookings: PlannedSaga[];
}

/** The round's sagas, their ids and gateway keys fixed before anything starts (holds need them). */
export function planBatch(runId: string, round: number, products: Products): Batch {
  const customerId = `kr-${runId}-customer-${round}`;
  const orders = ORDERS.map((spec, n): PlannedSaga => {
    const id = `kr-${runId}-r${round}-o${n + 1}`;
    const workflowId = orderWorkflowId(id);
    return {
      label: `o${n + 1}`,
      kind: 'order',
      id,
      workflowId,
      story: spec.story,
      expect: spec.expect,
      customerId,
      totalCents: products[spec.item].priceCents * spec.quantity,
      captured: spec.expect === 'CONFIRMED' || spec.cancelMidCharge === true,
      refunded: spec.cancelMidCharge === true,
      chargeKey: `${workflowId}:charge`,
      refundKey: `${workflowId}:refund`,
    };
  });
  const bookings = BOOKINGS.map((spec, n): PlannedSaga => {
    const id = `kr-${runId}-r${round}-b${n + 1}`;
    const workflowId = bookingWorkflowId(id);
    return {
      label: `b${n + 1}`,
      kind: 'booking',
      id,
      workflowId,
      story: spec.story,
      expect: spec.expect,
      customerId,
      totalCents: SEAT_PRICE_CENTS * spec.seats,
      captured: spec.expect === 'CONFIRMED' || spec.cancelAfterConfirm === true,
      refunded: spec.cancelAfterConfirm === true,
      chargeKey: `${workflowId}:charge`,
      refundKey: `${workflowId}:refund`,
    };
  });
  return { round, customerId, sagas: [...orders, ...bookings], orders, bookings };
}

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

  const order = async (saga: PlannedSaga, spec: OrderSpec) => {
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
  };

  const booking = async (saga: PlannedSaga, spec: BookingSpec) => {
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
  };

  const answered = Promise.all([
    ...batch.orders.map((saga, n) => order(saga, ORDERS[n]!)),
    ...batch.bookings.map((saga, n) => booking(saga, BOOKINGS[n]!)),
  ]).then(() => undefined);
  answered.catch(() => {}); // awaited by the round; keeps an early failure from being unhandled
  return { eventId, answered };
}
