import type {
  BookingSagaInput,
  BookingStatus,
  HoldReply,
  PaymentResult,
} from '../../workflows/bookings/booking.types.js';

export type BookOutcome =
  | { kind: 'answered'; reply: HoldReply }
  /** The Idempotency-Key was used before for a different request. */
  | { kind: 'conflict' }
  /** The saga for this key has already ended; its booking row says how. */
  | { kind: 'ended' };

export type PayOutcome =
  | { kind: 'answered'; result: PaymentResult }
  | { kind: 'rejected'; reason: string }
  | { kind: 'ended' }
  | { kind: 'not-found' };

export type CancelBookingOutcome =
  | { kind: 'cancelled'; refunded: boolean }
  | { kind: 'rejected'; reason: string }
  | { kind: 'ended' }
  | { kind: 'not-found' };

/** What the API asks of the booking sagas; the Temporal implementation starts and updates workflows. */
export interface BookingCommands {
  /** Starts the saga (or finds the one for this key) and answers once the seats are held or sold out. */
  book(input: BookingSagaInput): Promise<BookOutcome>;
  pay(bookingId: string, paymentToken: string): Promise<PayOutcome>;
  cancel(bookingId: string, reason: string | undefined): Promise<CancelBookingOutcome>;
  /** The booking's status as its saga's execution shows it, or null when there is no saga. */
  sagaStatus(bookingId: string): Promise<BookingStatus | null>;
}
