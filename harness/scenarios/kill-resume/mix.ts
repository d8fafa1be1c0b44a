import type { PrismaClient } from '../../../prisma/client.js';
import { bookingWorkflowId, orderWorkflowId } from '../../../workflows/contracts/names.js';

/**
 * The sagas each round of the kill-resume scenario launches through the REST API: orders and
 * bookings that confirm, fail (and compensate), are cancelled (and refunded), or expire.
 * customers.ts acts them out.
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

export interface OrderSpec {
  story: string;
  expect: FinalStatus;
  token: string;
  item: 'plenty' | 'scarce';
  quantity: number;
  cancelMidCharge?: boolean;
}

export const ORDERS: OrderSpec[] = [
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

export interface BookingSpec {
  story: string;
  expect: FinalStatus;
  seats: number;
  token?: string;
  cancelAfterConfirm?: boolean;
}

export const BOOKINGS: BookingSpec[] = [
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
