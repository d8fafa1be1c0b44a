import { randomUUID } from 'node:crypto';
import type { EventTypeOf } from '../../activities/outbox/event-catalogue.js';
import {
  aggregateEvent,
  appendToOutbox,
  type DomainEvent,
  type EventFields,
} from '../../activities/outbox/outbox.appender.js';
import type { PrismaClient } from '../../prisma/client.js';
import { pointsFor } from '../../activities/projections/loyalty.projection.js';

export type OrderOutcome = 'confirmed' | 'out-of-stock' | 'payment-declined';
export type BookingOutcome = 'confirmed' | 'refunded' | 'expired';

/** One saga's domain events as its activities commit them, and what the read models should end with. */
export interface SagaScript {
  aggregateType: 'order' | 'booking';
  aggregateId: string;
  customerId: string;
  totalCents: number;
  /** The workflow id, which the activities write as the events' correlation id. */
  correlationId: string;
  /** One entry per saga step: the events that step commits in one transaction, in saga order. */
  steps: DomainEvent[][];
  expected: {
    status: string;
    lastEventType: string;
    award: 'PENDING' | 'AWARDED' | 'REVOKED';
    /** Points the saga leaves on the customer's account. */
    points: number;
  };
}

const shortId = () => randomUUID().slice(0, 8);

/** The order saga's events: place → reserve → charge → confirm → notify, or its failure paths. */
export function orderSaga(
  outcome: OrderOutcome,
  { customerId = `cust-${shortId()}`, orderId = `ord-${shortId()}` } = {},
): SagaScript {
  const items = [
    { sku: 'KB-001', quantity: 1, unitPriceCents: 8_999 },
    { sku: 'MS-002', quantity: 2, unitPriceCents: 2_450 },
  ];
  const totalCents = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
  const order = <T extends EventTypeOf<'order'>>(eventType: T, fields: EventFields<'order', T>) =>
    aggregateEvent('order', orderId, eventType, fields);
  const reserved = items.map(({ sku, quantity }) => ({ sku, quantity }));
  const placed = [order('OrderPlaced', { customerId, items, totalCents })];

  const steps: DomainEvent[][] =
    outcome === 'confirmed'
      ? [
          placed,
          [order('InventoryReserved', { items: reserved })],
          [order('PaymentCaptured', { chargeId: `ch_${orderId}`, amountCents: totalCents })],
          [order('OrderConfirmed', {})],
          [
            order('CustomerNotified', {
              recipient: customerId,
              subject: `Order ${orderId} confirmed`,
            }),
          ],
        ]
      : outcome === 'out-of-stock'
        ? [placed, [order('OrderFailed', { reason: 'out of stock: MS-002' })]]
        : [
            placed,
            [order('InventoryReserved', { items: reserved })],
            [order('InventoryReleased', { items: reserved })],
            [order('OrderFailed', { reason: 'payment declined: insufficient funds' })],
          ];
  const confirmed = outcome === 'confirmed';
  return {
    aggregateType: 'order',
    aggregateId: orderId,
    customerId,
    totalCents,
    correlationId: `order:${orderId}`,
    steps,
    expected: {
      status: confirmed ? 'CONFIRMED' : 'FAILED',
      lastEventType: steps.at(-1)!.at(-1)!.eventType,
      award: confirmed ? 'AWARDED' : 'PENDING',
      points: confirmed ? pointsFor(totalCents) : 0,
    },
  };
}

/** The booking saga's events: hold → charge → confirm → notify; refunded is a cancellation after that. */
export function bookingSaga(
  outcome: BookingOutcome,
  { customerId = `cust-${shortId()}`, bookingId = `bkg-${shortId()}`, seats = 3 } = {},
): SagaScript {
  const eventId = 'evt-jazz-night';
  const totalCents = seats * 4_250;
  const booking = <T extends EventTypeOf<'booking'>>(
    eventType: T,
    fields: EventFields<'booking', T>,
  ) => aggregateEvent('booking', bookingId, eventType, fields);
  const held = [
    booking('SeatsHeld', {
      eventId,
      customerId,
      seats,
      totalCents,
      holdExpiresAt: new Date(Date.now() + 15 * 60_000).toISOString(),
    }),
  ];
  const confirmedSteps = [
    held,
    [booking('PaymentCaptured', { chargeId: `ch_${bookingId}`, amountCents: totalCents })],
    [booking('BookingConfirmed', {})],
    [
      booking('CustomerNotified', {
        recipient: customerId,
        subject: `Booking ${bookingId} confirmed`,
      }),
    ],
  ];
  const released = (ending: 'BookingCancelled' | 'BookingExpired', reason: string) => [
    booking('SeatsReleased', { eventId, seats }),
    booking(ending, { eventId, reason }),
  ];

  const steps: DomainEvent[][] =
    outcome === 'confirmed'
      ? confirmedSteps
      : outcome === 'refunded'
        ? [
            ...confirmedSteps,
            [
              booking('PaymentRefunded', {
                chargeId: `ch_${bookingId}`,
                refundId: `re_${bookingId}`,
                amountCents: totalCents,
              }),
            ],
            released('BookingCancelled', 'cancelled by the customer'),
          ]
        : [held, released('BookingExpired', 'the hold expired')];
  return {
    aggregateType: 'booking',
    aggregateId: bookingId,
    customerId,
    totalCents,
    correlationId: `booking:${bookingId}`,
    steps,
    expected: {
      status: { confirmed: 'CONFIRMED', refunded: 'CANCELLED', expired: 'EXPIRED' }[outcome],
      lastEventType: steps.at(-1)!.at(-1)!.eventType,
      award: { confirmed: 'AWARDED', refunded: 'REVOKED', expired: 'PENDING' }[outcome] as
        'AWARDED' | 'REVOKED' | 'PENDING',
      points: outcome === 'confirmed' ? pointsFor(totalCents) : 0,
    },
  };
}

export interface StepRange {
  /** First step (index) to commit; 0 unless given. */
  from?: number;
  /** Step index to stop before; all remaining steps unless given. */
  to?: number;
}

/**
 * Commits the sagas' steps as concurrently running sagas would: step by step, interleaved across
 * sagas, each step of a saga in its own transaction after the previous one committed.
 */
export async function commitSagas(
  prisma: PrismaClient,
  sagas: SagaScript[],
  { from = 0, to = Infinity }: StepRange = {},
): Promise<number> {
  const last = Math.min(to, Math.max(...sagas.map((saga) => saga.steps.length)));
  let committed = 0;
  for (let step = from; step < last; step += 1) {
    const due = sagas.filter((saga) => saga.steps[step] !== undefined);
    for (let start = 0; start < due.length; start += 100) {
      await prisma.$transaction(async (tx) => {
        for (const saga of due.slice(start, start + 100)) {
          await appendToOutbox(tx, saga.correlationId, ...saga.steps[step]!);
          committed += saga.steps[step]!.length;
        }
      });
    }
  }
  return committed;
}

/** How many events the steps in `range` hold. */
export const eventCount = (sagas: SagaScript[], { from = 0, to = Infinity }: StepRange = {}) =>
  sagas.reduce(
    (sum, saga) => sum + saga.steps.slice(from, to).reduce((n, step) => n + step.length, 0),
    0,
  );

/** Loyalty balances the sagas leave: customers whose points were ever awarded, with what remains. */
export function expectedBalances(sagas: SagaScript[]): Record<string, number> {
  const balances: Record<string, number> = {};
  for (const saga of sagas) {
    if (saga.expected.award === 'PENDING') continue;
    balances[saga.customerId] = (balances[saga.customerId] ?? 0) + saga.expected.points;
  }
  return balances;
}
