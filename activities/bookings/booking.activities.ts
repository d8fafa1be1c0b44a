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
  type NewBooking,
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

/** What holdSeats answers, and the event whose availability changed (for the cache), if one did. */
interface HoldResult {
  outcome: HoldOutcome;
  changed: EventRecord | undefined;
}

/** The booking row a hold writes, before it is known to be HELD or FAILED. */
type HoldRow = Omit<NewBooking, 'status' | 'failureReason'>;

/** What an earlier attempt of holdSeats answered, read back from its booking row. */
async function holdOutcomeOf(
  db: Db,
  bookings: BookingRepository,
  booking: BookingRecord,
): Promise<HoldOutcome> {
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
}

/** Too few seats were left: the booking is recorded as FAILED (sold out) and nothing changes. */
async function recordSoldOut(
  tx: Db,
  bookings: BookingRepository,
  input: HoldSeatsInput,
  booking: HoldRow,
  current: EventRecord,
): Promise<HoldResult> {
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
    outcome: { kind: 'sold-out', availableSeats: current.availableSeats },
    changed: undefined,
  };
}

/** The seats were taken from `event`: the booking is recorded as HELD. */
async function recordHold(
  tx: Db,
  bookings: BookingRepository,
  input: HoldSeatsInput,
  booking: HoldRow,
  event: EventRecord,
): Promise<HoldResult> {
  await bookings.insertBooking(tx, { ...booking, status: 'HELD', failureReason: null });
  await appendToOutbox(
    tx,
    currentCorrelationId(),
    bookingEvent(input.bookingId, 'SeatsHeld', {
      eventId: input.eventId,
      customerId: input.customerId,
      seats: input.seats,
      totalCents: booking.totalCents,
      holdExpiresAt: input.holdExpiresAt,
    }),
  );
  const held: HoldOutcome = {
    kind: 'held',
    totalCents: booking.totalCents,
    holdExpiresAt: input.holdExpiresAt,
    eventStartsAt: event.startsAt,
  };
  return { outcome: held, changed: event };
}

/** holdSeats inside its transaction: answers a repeat from the row, else takes seats or fails. */
async function holdInTransaction(
  tx: Db,
  bookings: BookingRepository,
  input: HoldSeatsInput,
): Promise<HoldResult> {
  const existing = await bookings.findBooking(tx, input.bookingId);
  if (existing) return { outcome: await holdOutcomeOf(tx, bookings, existing), changed: undefined };
  const event = await bookings.takeSeats(tx, input.eventId, input.seats);
  const current = event ?? (await bookings.findEvent(tx, input.eventId));
  if (!current)
    throw ApplicationFailure.nonRetryable(
      `event ${input.eventId} does not exist`,
      ErrorType.EventNotFound,
    );
  const booking: HoldRow = {
    id: input.bookingId,
    eventId: input.eventId,
    customerId: input.customerId,
    seats: input.seats,
    totalCents: current.priceCents * input.seats,
    holdExpiresAt: new Date(input.holdExpiresAt),
  };
  return event
    ? recordHold(tx, bookings, input, booking, event)
    : recordSoldOut(tx, bookings, input, booking, current);
}

/** releaseSeats inside its transaction; returns the event it gave seats back to, if it did. */
async function releaseInTransaction(
  tx: Db,
  bookings: BookingRepository,
  { bookingId, status, reason }: ReleaseSeatsInput,
): Promise<EventRecord | undefined> {
  const booking = await bookings.lockBooking(tx, bookingId);
  if (!booking || (booking.status !== 'HELD' && booking.status !== 'CONFIRMED')) return undefined;
  const event = await bookings.returnSeats(tx, booking.eventId, booking.seats);
  await bookings.transition(tx, bookingId, ['HELD', 'CONFIRMED'], status, {
    failureReason: reason,
  });
  await appendToOutbox(
    tx,
    currentCorrelationId(),
    bookingEvent(bookingId, 'SeatsReleased', { eventId: booking.eventId, seats: booking.seats }),
    bookingEvent(bookingId, ENDED_EVENT_TYPE[status], { eventId: booking.eventId, reason }),
  );
  return event;
}

/** holdSeats and its compensation releaseSeats: seat counts, booking rows, the availability cache. */
const createSeatActivities = ({ prisma, bookings, eventCache }: Deps) => {
  /** After the commit: the cache gets the new availability (it never throws; Postgres stays the truth). */
  const cacheAvailability = async (event: EventRecord | undefined) => {
    if (event) await eventCache.put(event);
  };

  return {
    /**
     * Takes the seats and records the booking as HELD, or as FAILED when too few seats are left.
     * A repeat answers what the first attempt did.
     */
    async holdSeats(input: HoldSeatsInput): Promise<HoldOutcome> {
      const { outcome, changed } = await prisma.$transaction((tx) =>
        holdInTransaction(tx, bookings, input),
      );
      await cacheAvailability(changed);
      return outcome;
    },

    /**
     * Compensation of holdSeats: gives held (or confirmed) seats back and ends the booking with
     * `status`. With no booking row there is nothing to give back: a hold commits atomically.
     */
    async releaseSeats(input: ReleaseSeatsInput): Promise<{ released: boolean }> {
      const changed = await prisma.$transaction((tx) => releaseInTransaction(tx, bookings, input));
      await cacheAvailability(changed);
      return { released: changed !== undefined };
    },
  };
};

/** The booking's payment and its confirmation: charge/refund through the gateway, then CONFIRMED. */
const createBookingPaymentActivities = ({ prisma, bookings, payments }: Deps) => {
  const payment = { prisma, payments };
  return {
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

/** Every booking activity: the seat side and the payment side. */
export const createBookingActivities = (deps: Deps) => ({
  ...createSeatActivities(deps),
  ...createBookingPaymentActivities(deps),
});
