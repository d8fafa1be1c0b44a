import { z } from 'zod';
import { eventTypeSet, type PayloadOf } from '../outbox/event-catalogue.js';
import type { EventEnvelope } from '../outbox/event-envelope.js';
import type { Db } from '../../prisma/client.js';
import type { Projection } from './projection.js';

/** One point per whole currency unit of a confirmed order or booking. */
export const pointsFor = (totalCents: number) => Math.floor(totalCents / 100);

const OPENS = eventTypeSet('OrderPlaced', 'SeatsHeld');
const CONFIRMS = eventTypeSet('OrderConfirmed', 'BookingConfirmed');
const REVOKES = eventTypeSet('PaymentRefunded', 'OrderCancelled', 'BookingCancelled');

type Opening = PayloadOf<'order', 'OrderPlaced'> | PayloadOf<'booking', 'SeatsHeld'>;

/** What loyalty reads from an opening event, checked on arrival: a bad payload is a poison message. */
const openingSchema = z.object({
  customerId: z.string().min(1),
  totalCents: z.number().int().min(0),
}) satisfies z.ZodType<Pick<Opening, 'customerId' | 'totalCents'>>;

export class LoyaltyOutOfOrderError extends Error {
  override readonly name = 'LoyaltyOutOfOrderError';
}

/**
 * Loyalty points: an order (or booking) earns points when it is confirmed and loses them when it
 * is refunded or cancelled. The customer and amount come from the event that opened it, which
 * arrives first on the same partition (events are keyed by aggregate id).
 */
export const loyaltyProjection: Projection = {
  name: 'loyalty',
  aggregateTypes: ['order', 'booking'],
  async apply(tx: Db, consumer: string, event: EventEnvelope) {
    const key = { consumer, aggregateType: event.aggregateType, aggregateId: event.aggregateId };
    if (OPENS.has(event.eventType)) {
      const { customerId, totalCents } = openingSchema.parse(event.payload);
      await tx.loyaltyAward.upsert({
        where: { consumer_aggregateType_aggregateId: key },
        create: { ...key, customerId, points: pointsFor(totalCents), status: 'PENDING' },
        update: {},
      });
      return;
    }
    if (CONFIRMS.has(event.eventType)) {
      const award = await tx.loyaltyAward.findUnique({
        where: { consumer_aggregateType_aggregateId: key },
      });
      if (!award)
        throw new LoyaltyOutOfOrderError(
          `${event.eventType} for ${event.aggregateId} before it was placed`,
        );
      if (award.status !== 'PENDING') return;
      await tx.loyaltyAward.update({
        where: { consumer_aggregateType_aggregateId: key },
        data: { status: 'AWARDED' },
      });
      await addPoints(tx, consumer, award.customerId, award.points);
      return;
    }
    if (REVOKES.has(event.eventType)) {
      const award = await tx.loyaltyAward.findUnique({
        where: { consumer_aggregateType_aggregateId: key },
      });
      if (award?.status !== 'AWARDED') return;
      await tx.loyaltyAward.update({
        where: { consumer_aggregateType_aggregateId: key },
        data: { status: 'REVOKED' },
      });
      await addPoints(tx, consumer, award.customerId, -award.points);
    }
  },
};

async function addPoints(tx: Db, consumer: string, customerId: string, points: number) {
  await tx.loyaltyAccount.upsert({
    where: { consumer_customerId: { consumer, customerId } },
    create: { consumer, customerId, points },
    update: { points: { increment: points }, updatedAt: new Date() },
  });
}
