import {
  checkConsistency,
  type ConsistencyReport,
  type Offender,
} from '../../../activities/ops/consistency.check.js';
import { httpLedgerSource } from '../../../activities/payments/payment.ledger.js';
import { sleep } from '../../support/polling.js';
import type { Check } from '../support/checks.js';
import { isHttpStatus } from './flows.js';
import type { StormRun } from './resources.js';
import type { StormResult } from './storm.js';

const CONSISTENCY_ATTEMPTS = 5; // the check is meant for a quiet system: someone else's saga between steps shows up

/** This run's event as Postgres has it after the storm. */
export interface SeatBook {
  totalSeats: number;
  availableSeats: number;
  /** Status → bookings and their seats, this run's event only. */
  byStatus: Map<string, { bookings: number; seats: number }>;
  confirmed: number;
  confirmedSeats: number;
  held: number;
  heldSeats: number;
  overbooked: number;
}

export async function seatBook(run: StormRun, eventId: string): Promise<SeatBook> {
  const { prisma } = run;
  const [event] = await prisma.$queryRaw<{ total_seats: number; available_seats: number }[]>`
    SELECT total_seats, available_seats FROM events WHERE id = ${eventId}`;
  if (!event) throw new Error(`event ${eventId} is gone`);
  const rows = await prisma.$queryRaw<{ status: string; bookings: number; seats: number }[]>`
    SELECT status::text AS status, count(*)::int AS bookings, COALESCE(sum(seats), 0)::int AS seats
    FROM bookings WHERE event_id = ${eventId} GROUP BY status ORDER BY status`;
  const byStatus = new Map(rows.map((r) => [r.status, { bookings: r.bookings, seats: r.seats }]));
  const of = (status: string) => byStatus.get(status) ?? { bookings: 0, seats: 0 };
  const confirmed = of('CONFIRMED');
  const held = of('HELD');
  return {
    totalSeats: event.total_seats,
    availableSeats: event.available_seats,
    byStatus,
    confirmed: confirmed.bookings,
    confirmedSeats: confirmed.seats,
    held: held.bookings,
    heldSeats: held.seats,
    overbooked: Math.max(0, confirmed.seats + held.seats - event.total_seats),
  };
}

export interface ConsistencyResult {
  report: ConsistencyReport;
  attempts: number;
}

/** The consistency check, repeated a few times while it finds offenders (someone else's saga may be mid-step). */
export async function consistency(run: StormRun): Promise<ConsistencyResult> {
  const ledger = httpLedgerSource(run.options.config.PAYMENT_GATEWAY_URL);
  let report = await checkConsistency(run.prisma, ledger);
  let attempts = 1;
  while (!report.ok && attempts < CONSISTENCY_ATTEMPTS && !run.interrupted) {
    await sleep(1_000);
    report = await checkConsistency(run.prisma, ledger);
    attempts++;
  }
  return { report, attempts };
}

/** Does an offender of the consistency check concern this run's event or bookings? */
export const ours = (run: StormRun, offender: Offender, eventId: string) =>
  'eventId' in offender
    ? offender.eventId === eventId
    : offender.bookingId.startsWith(run.bookingPrefix);

export function checksOf(
  run: StormRun,
  storm: StormResult,
  seats: SeatBook,
  report: ConsistencyReport,
): Check[] {
  const { clients, totalSeats, seatsPerBooking, expectedConfirmed } = run.options;
  const count = (predicate: (kind: string) => boolean) =>
    [...storm.statuses]
      .filter(([key]) => predicate(key.slice(key.lastIndexOf(' ') + 1)))
      .reduce((sum, [, n]) => sum + n, 0);
  const serverErrors = count((kind) => isHttpStatus(kind) && Number(kind) >= 500);
  const unanswered = count((kind) => !isHttpStatus(kind));
  const expected =
    seatsPerBooking === 1 && clients >= totalSeats
      ? `== ${expectedConfirmed} (every seat)`
      : `== ${expectedConfirmed} (min(clients, ⌊${totalSeats} seats / ${seatsPerBooking}⌋))`;
  return [
    {
      name: `confirmed bookings ${expected}`,
      value: String(seats.confirmed),
      ok: seats.confirmed === expectedConfirmed,
    },
    { name: 'overbooked seats == 0', value: String(seats.overbooked), ok: seats.overbooked === 0 },
    {
      name: 'available seats never negative',
      value: `now ${seats.availableSeats}, lowest sampled ${storm.lowestAvailable ?? '-'}`,
      ok: seats.availableSeats >= 0 && (storm.lowestAvailable ?? 0) >= 0,
    },
    { name: 'no 5xx', value: String(serverErrors), ok: serverErrors === 0 },
    {
      name: 'every request answered (no connection error or timeout)',
      value: String(unanswered),
      ok: unanswered === 0,
    },
    {
      name: 'pay answered 200 CONFIRMED == CONFIRMED in Postgres',
      value: `${storm.apiConfirmed} / ${seats.confirmed}`,
      ok: storm.apiConfirmed === seats.confirmed,
    },
    {
      name: 'consistency check (seats and charges add up, all events)',
      value: report.ok ? 'ok' : `${report.offenders.length} offender(s)`,
      ok: report.ok,
    },
  ];
}
