import type { Db } from '../../prisma/client.js';
import type { BookingStatus } from '../../workflows/bookings/booking.types.js';

/** The failure reason of a booking that found too few seats left. */
export const SOLD_OUT_REASON = 'sold out';

export interface EventRecord {
  id: string;
  title: string;
  startsAt: string;
  priceCents: number;
  totalSeats: number;
  availableSeats: number;
  /** Bumped by every seat change; orders cached copies. */
  version: number;
}

export interface BookingRecord {
  id: string;
  eventId: string;
  customerId: string;
  seats: number;
  status: Exclude<BookingStatus, 'PENDING'>;
  totalCents: number;
  holdExpiresAt: string;
  chargeId: string | null;
  refundId: string | null;
  failureReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A booking row as a hold writes it, HELD or FAILED. */
export type NewBooking = Pick<
  BookingRecord,
  'id' | 'eventId' | 'customerId' | 'seats' | 'status' | 'totalCents' | 'failureReason'
> & {
  holdExpiresAt: Date;
};

export interface NewEvent {
  id: string;
  title: string;
  startsAt: Date;
  priceCents: number;
  totalSeats: number;
}

interface EventRow {
  id: string;
  title: string;
  starts_at: Date;
  price_cents: number;
  total_seats: number;
  available_seats: number;
  version: bigint;
}

const toEvent = (row: EventRow): EventRecord => ({
  id: row.id,
  title: row.title,
  startsAt: row.starts_at.toISOString(),
  priceCents: row.price_cents,
  totalSeats: row.total_seats,
  availableSeats: row.available_seats,
  version: Number(row.version),
});

type BookingModel = Omit<BookingRecord, 'holdExpiresAt' | 'createdAt' | 'updatedAt'> & {
  holdExpiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
};

const toBooking = (b: BookingModel): BookingRecord => ({
  id: b.id,
  eventId: b.eventId,
  customerId: b.customerId,
  seats: b.seats,
  status: b.status,
  totalCents: b.totalCents,
  holdExpiresAt: b.holdExpiresAt.toISOString(),
  chargeId: b.chargeId,
  refundId: b.refundId,
  failureReason: b.failureReason,
  createdAt: b.createdAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
});

/** The `events` rows: their seat counts change only through conditional updates. */
export function createEventSeatRepository() {
  return {
    async findEvent(db: Db, id: string): Promise<EventRecord | null> {
      const rows = await db.$queryRaw<EventRow[]>`
        SELECT id, title, starts_at, price_cents, total_seats, available_seats, version FROM events WHERE id = ${id}`;
      return rows[0] ? toEvent(rows[0]) : null;
    },

    async insertEvent(db: Db, event: NewEvent): Promise<EventRecord> {
      const created = await db.event.create({
        data: { ...event, availableSeats: event.totalSeats },
      });
      return toEvent({
        id: created.id,
        title: created.title,
        starts_at: created.startsAt,
        price_cents: created.priceCents,
        total_seats: created.totalSeats,
        available_seats: created.availableSeats,
        version: created.version,
      });
    },

    /**
     * Takes seats only if enough are left: one conditional update, so two concurrent holds can
     * never both take the last seat. Returns the event as it is now, or null when too few are left.
     */
    async takeSeats(db: Db, eventId: string, seats: number): Promise<EventRecord | null> {
      const rows = await db.$queryRaw<EventRow[]>`
        UPDATE events SET available_seats = available_seats - ${seats}, version = version + 1, updated_at = now()
        WHERE id = ${eventId} AND available_seats >= ${seats}
        RETURNING id, title, starts_at, price_cents, total_seats, available_seats, version`;
      return rows[0] ? toEvent(rows[0]) : null;
    },

    async returnSeats(db: Db, eventId: string, seats: number): Promise<EventRecord> {
      const rows = await db.$queryRaw<EventRow[]>`
        UPDATE events SET available_seats = available_seats + ${seats}, version = version + 1, updated_at = now()
        WHERE id = ${eventId}
        RETURNING id, title, starts_at, price_cents, total_seats, available_seats, version`;
      return toEvent(rows[0]!);
    },
  };
}

async function findBooking(db: Db, id: string): Promise<BookingRecord | null> {
  const booking = await db.booking.findUnique({ where: { id } });
  return booking ? toBooking(booking) : null;
}

/** The `bookings` rows: each step moves a booking on only from the status it expects. */
export function createBookingRowRepository() {
  return {
    findBooking,

    /** Row lock: serialises the steps and compensations of one booking. */
    async lockBooking(db: Db, id: string): Promise<BookingRecord | null> {
      const rows = await db.$queryRaw<
        { id: string }[]
      >`SELECT id FROM bookings WHERE id = ${id} FOR UPDATE`;
      return rows.length === 0 ? null : findBooking(db, id);
    },

    async insertBooking(db: Db, booking: NewBooking): Promise<void> {
      await db.booking.create({ data: booking });
    },

    /** Moves the booking on only from `from`; returns false when it was elsewhere (already done). */
    async transition(
      db: Db,
      id: string,
      from: BookingRecord['status'][],
      to: BookingRecord['status'],
      data: { chargeId?: string; failureReason?: string } = {},
    ): Promise<boolean> {
      const { count } = await db.booking.updateMany({
        where: { id, status: { in: from } },
        data: { status: to, ...data },
      });
      return count === 1;
    },

    async recordCharge(db: Db, id: string, chargeId: string): Promise<boolean> {
      const { count } = await db.booking.updateMany({
        where: { id, status: 'HELD', chargeId: null },
        data: { chargeId },
      });
      return count === 1;
    },

    async recordRefund(db: Db, id: string, refundId: string): Promise<boolean> {
      const { count } = await db.booking.updateMany({
        where: { id, refundId: null },
        data: { refundId },
      });
      return count === 1;
    },
  };
}

/** Both: what the booking activities and read side use. */
export function createBookingRepository() {
  return { ...createEventSeatRepository(), ...createBookingRowRepository() };
}

export type BookingRepository = ReturnType<typeof createBookingRepository>;
