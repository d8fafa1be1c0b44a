import type { LedgerSource } from '../payments/payment.ledger.js';
import type { PrismaClient } from '../../prisma/client.js';
import { bookingWorkflowId } from '../../workflows/contracts/names.js';

/** One thing that does not add up, with what was found. */
export type Offender =
  | {
      kind: 'seats-not-conserved';
      eventId: string;
      totalSeats: number;
      availableSeats: number;
      heldOrConfirmedSeats: number;
    }
  | {
      kind: 'availability-out-of-range';
      eventId: string;
      totalSeats: number;
      availableSeats: number;
    }
  | {
      kind: 'confirmed-without-one-capture';
      bookingId: string;
      chargeId: string | null;
      capturedCharges: number;
      refunded: boolean;
    }
  | {
      kind: 'charge-kept-for-unconfirmed-booking';
      bookingId: string;
      status: string;
      chargeId: string;
    };

export interface ConsistencyReport {
  ok: boolean;
  checked: { events: number; bookings: number; charges: number };
  offenders: Offender[];
}

interface EventSeats {
  id: string;
  total_seats: number;
  available_seats: number;
  taken: number;
}

const ENDED = new Set(['EXPIRED', 'CANCELLED', 'FAILED']);

/**
 * Checks that seats and money add up:
 * - per event, total − available = seats of its HELD and CONFIRMED bookings, and 0 ≤ available ≤ total;
 * - every CONFIRMED booking has exactly one captured, unrefunded charge at the gateway (its own);
 * - no booking that ended without confirmation keeps a captured charge that was not refunded.
 * Meant for a quiet system: a saga between two steps can show up as an offender.
 */
export async function checkConsistency(
  prisma: PrismaClient,
  ledgerOf: LedgerSource,
): Promise<ConsistencyReport> {
  const offenders: Offender[] = [];
  const events = await prisma.$queryRaw<EventSeats[]>`
    SELECT e.id, e.total_seats, e.available_seats,
           COALESCE(SUM(b.seats) FILTER (WHERE b.status IN ('HELD', 'CONFIRMED')), 0)::int AS taken
    FROM events e LEFT JOIN bookings b ON b.event_id = e.id
    GROUP BY e.id ORDER BY e.id`;
  for (const event of events) {
    if (event.available_seats < 0 || event.available_seats > event.total_seats) {
      offenders.push({
        kind: 'availability-out-of-range',
        eventId: event.id,
        totalSeats: event.total_seats,
        availableSeats: event.available_seats,
      });
    }
    if (event.total_seats - event.available_seats !== event.taken) {
      offenders.push({
        kind: 'seats-not-conserved',
        eventId: event.id,
        totalSeats: event.total_seats,
        availableSeats: event.available_seats,
        heldOrConfirmedSeats: event.taken,
      });
    }
  }

  const bookings = await prisma.booking.findMany({
    select: { id: true, status: true, chargeId: true },
  });
  const ledger = await ledgerOf('booking:');
  const refundedCharges = new Set(
    ledger.refunds.flatMap((r) => (r.status === 'refunded' && r.chargeId ? [r.chargeId] : [])),
  );
  const capturedByKey = new Map<string, string[]>();
  for (const charge of ledger.charges) {
    if (charge.status !== 'captured') continue;
    capturedByKey.set(charge.idempotencyKey, [
      ...(capturedByKey.get(charge.idempotencyKey) ?? []),
      charge.chargeId,
    ]);
  }
  for (const booking of bookings) {
    const captured = capturedByKey.get(`${bookingWorkflowId(booking.id)}:charge`) ?? [];
    if (booking.status === 'CONFIRMED') {
      const refunded = captured.some((id) => refundedCharges.has(id));
      if (captured.length !== 1 || captured[0] !== booking.chargeId || refunded) {
        offenders.push({
          kind: 'confirmed-without-one-capture',
          bookingId: booking.id,
          chargeId: booking.chargeId,
          capturedCharges: captured.length,
          refunded,
        });
      }
    } else if (ENDED.has(booking.status)) {
      for (const chargeId of captured.filter((id) => !refundedCharges.has(id))) {
        offenders.push({
          kind: 'charge-kept-for-unconfirmed-booking',
          bookingId: booking.id,
          status: booking.status,
          chargeId,
        });
      }
    }
  }
  return {
    ok: offenders.length === 0,
    checked: { events: events.length, bookings: bookings.length, charges: ledger.charges.length },
    offenders,
  };
}
