import { ApplicationFailure } from '@temporalio/activity';
import type { Db } from '../../prisma/client.js';
import type { HoldOutcome } from '../../workflows/bookings/booking.types.js';
import { ErrorType } from '../../workflows/contracts/errors.js';
import { currentCorrelationId } from '../correlation.js';
import type { EventTypeOf } from '../outbox/event-catalogue.js';
import { aggregateEvent, appendToOutbox, type EventFields } from '../outbox/outbox.appender.js';
import {
  chargeAndRecord,
  refundAndRecord,
  type PaymentStepDeps,
} from '../payments/payment.calls.js';
import {
  SOLD_OUT_REASON,
  type BookingRecord,
  type BookingRepository,
  type EventRecord,
} from './booking.repository.js';
import type { EventCache } from './event.cache.js';

export interface HoldSeatsInput {
  bookingId: string;
  eventId: string;
  customerId: string;
  seats: number;
  holdExpiresAt: string;
}

export interface ReleaseSeatsInput {
  bookingId: string;
  status: 'EXPIRED' | 'CANCELLED' | 'FAILED';
  reason: string;
}

export interface ChargeBookingInput {
  bookingId: string;
  customerId: string;
  amountCents: number;
  cardToken: string;
  idempotencyKey: string;
}

export interface RefundBookingInput {
  bookingId: string;
  idempotencyKey: string;
  chargeIdempotencyKey: string;
}

interface Deps extends PaymentStepDeps {
  bookings: BookingRepository;
  eventCache: EventCache;
}

const ENDED_EVENT_TYPE = {
  EXPIRED: 'BookingExpired',
  CANCELLED: 'BookingCancelled',
  FAILED: 'BookingFailed',
} as const;

const bookingEvent = <T extends EventTypeOf<'booking'>>(
  bookingId: string,
  eventType: T,
  fields: EventFields<'booking', T>,
) => aggregateEvent('booking', bookingId, eventType, fields);

export const createBookingActivities = ({ prisma, bookings, payments, eventCache }: Deps) => {
  const payment = { prisma, payments };
  /** After the commit: the cache gets the new availability (it never throws; Postgres stays the truth). */
  const cacheAvailability = async (event: EventRecord | undefined) => {
    if (event) await eventCache.put(event);
  };

  const holdOutcomeOf = async (db: Db, booking: BookingRecord): Promise<HoldOutcome> => {
    const event = (await bookings.findEvent(db, booking.eventId))!;
    if (booking.status === 'FAILED' && booking.failureReason === SOLD_OUT_REASON) {
      return { kind: 'sold-out', availableSeats: event.availableSeats };
    }
    return {
      kind: 'held',
      totalCents: booking.totalCents,
      holdExpiresAt: booking.holdExpiresAt,
      eventStartsAt: event.startsAt,
    };
  };

  return {
    /**
     * Takes the seats and records the booking as HELD, or as FAILED when too few seats are left.
     * A repeat answers what the first attempt did.
     */
    async holdSeats(input: HoldSeatsInput): Promise<HoldOutcome> {
      const { outcome, changed } = await prisma.$transaction(async (tx) => {
        const existing = await bookings.findBooking(tx, input.bookingId);
        if (existing) return { outcome: await holdOutcomeOf(tx, existing), changed: undefined };
        const event = await bookings.takeSeats(tx, input.eventId, input.seats);
        const current = event ?? (await bookings.findEvent(tx, input.eventId));
        if (!current)
          throw ApplicationFailure.nonRetryable(
            `event ${input.eventId} does not exist`,
            ErrorType.EventNotFound,
          );
        const totalCents = current.priceCents * input.seats;
        const booking = {
          id: input.bookingId,
          eventId: input.eventId,
          customerId: input.customerId,
          seats: input.seats,
          totalCents,
          holdExpiresAt: new Date(input.holdExpiresAt),
        };
        if (!event) {
          await bookings.insertBooking(tx, {
            ...booking,
            status: 'FAILED',
            failureReason: SOLD_OUT_REASON,
          });
          await appendToOutbox(
            tx,
            currentCorrelationId(),
            bookingEvent(input.bookingId, 'BookingFailed', {
              eventId: input.eventId,
              seats: input.seats,
              reason: SOLD_OUT_REASON,
              availableSeats: current.availableSeats,
            }),
          );
          return {
            outcome: { kind: 'sold-out', availableSeats: current.availableSeats } as const,
            changed: undefined,
          };
        }
        await bookings.insertBooking(tx, { ...booking, status: 'HELD', failureReason: null });
        await appendToOutbox(
          tx,
          currentCorrelationId(),
          bookingEvent(input.bookingId, 'SeatsHeld', {
            eventId: input.eventId,
            customerId: input.customerId,
            seats: input.seats,
            totalCents,
            holdExpiresAt: input.holdExpiresAt,
          }),
        );
        const held: HoldOutcome = {
          kind: 'held',
          totalCents,
          holdExpiresAt: input.holdExpiresAt,
          eventStartsAt: event.startsAt,
        };
        return { outcome: held, changed: event };
      });
      await cacheAvailability(changed);
      return outcome;
    },

    /**
     * Compensation of holdSeats: gives held (or confirmed) seats back and ends the booking with
     * `status`. With no booking row there is nothing to give back: a hold commits atomically.
     */
    async releaseSeats({
      bookingId,
      status,
      reason,
    }: ReleaseSeatsInput): Promise<{ released: boolean }> {
      const changed = await prisma.$transaction(async (tx) => {
        const booking = await bookings.lockBooking(tx, bookingId);
        if (!booking || (booking.status !== 'HELD' && booking.status !== 'CONFIRMED'))
          return undefined;
        const event = await bookings.returnSeats(tx, booking.eventId, booking.seats);
        await bookings.transition(tx, bookingId, ['HELD', 'CONFIRMED'], status, {
          failureReason: reason,
        });
        await appendToOutbox(
          tx,
          currentCorrelationId(),
          bookingEvent(bookingId, 'SeatsReleased', {
            eventId: booking.eventId,
            seats: booking.seats,
          }),
          bookingEvent(bookingId, ENDED_EVENT_TYPE[status], { eventId: booking.eventId, reason }),
        );
        return event;
      });
      await cacheAvailability(changed);
      return { released: changed !== undefined };
    },

    /** Charges for the held seats (network call first, outside any transaction), then records the capture. */
    chargeBooking(input: ChargeBookingInput): Promise<{ chargeId: string }> {
      return chargeAndRecord(
        payment,
        { aggregateType: 'booking', aggregateId: input.bookingId },
        {
          idempotencyKey: input.idempotencyKey,
          amountCents: input.amountCents,
          cardToken: input.cardToken,
          customerId: input.customerId,
        },
        (tx, chargeId) => bookings.recordCharge(tx, input.bookingId, chargeId),
      );
    },

    /** Compensation of chargeBooking: refunds whatever was captured under the charge's key, if anything. */
    refundBooking(input: RefundBookingInput): Promise<{ refunded: boolean }> {
      return refundAndRecord(
        payment,
        { aggregateType: 'booking', aggregateId: input.bookingId },
        { idempotencyKey: input.idempotencyKey, chargeIdempotencyKey: input.chargeIdempotencyKey },
        (tx, refundId) => bookings.recordRefund(tx, input.bookingId, refundId),
      );
    },

    /** HELD (and paid) → CONFIRMED. */
    async confirmBooking({ bookingId }: { bookingId: string }): Promise<void> {
      await prisma.$transaction(async (tx) => {
        if (!(await bookings.transition(tx, bookingId, ['HELD'], 'CONFIRMED'))) return;
        await appendToOutbox(
          tx,
          currentCorrelationId(),
          bookingEvent(bookingId, 'BookingConfirmed', {}),
        );
      });
    },
  };
};
