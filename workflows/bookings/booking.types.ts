/** Booking saga payloads: JSON-plain (ISO strings, integer cents). */

export type BookingStatus = 'PENDING' | 'HELD' | 'CONFIRMED' | 'EXPIRED' | 'CANCELLED' | 'FAILED';

export interface BookingSagaInput {
  bookingId: string;
  eventId: string;
  customerId: string;
  seats: number;
  /** How long the seats stay held while waiting for payment. */
  holdSeconds: number;
  /** How long payment may take, retries included, before the saga gives up and releases the seats. */
  paymentDeadlineSeconds?: number;
  /** A hash of the request that started the saga: a retried POST with another body is a conflict. */
  requestFingerprint: string;
}

export interface BookingSagaResult {
  bookingId: string;
  status: 'CONFIRMED' | 'EXPIRED' | 'CANCELLED' | 'SOLD_OUT';
  chargeId?: string;
}

/** The `bookingSaga` workflow's signature, for typed handles without importing workflow code. */
export type BookingSagaWorkflow = (input: BookingSagaInput) => Promise<BookingSagaResult>;

/** What `holdSeats` answers: sold out is an outcome the saga branches on, not an error. */
export type HoldOutcome =
  | { kind: 'held'; totalCents: number; holdExpiresAt: string; eventStartsAt: string }
  | { kind: 'sold-out'; availableSeats: number };

/** The answer to the hold, for the caller of `POST /bookings`. */
export type HoldResult =
  | { status: 'HELD'; holdExpiresAt: string; totalCents: number }
  | { status: 'SOLD_OUT'; availableSeats: number }
  | {
      status: Exclude<BookingStatus, 'PENDING' | 'HELD'>;
      holdExpiresAt?: string;
      totalCents?: number;
    };

/** The answer to `holdOutcome`: `replayed` when an earlier request already asked (a retried POST). */
export interface HoldReply {
  hold: HoldResult;
  replayed: boolean;
}

/** The answer to `confirmPayment`: confirmed, or why not. */
export type PaymentResult =
  | { status: 'CONFIRMED'; chargeId: string }
  | { status: 'FAILED'; reason: { type: string; message: string } };

export interface ConfirmPaymentRequest {
  paymentToken: string;
}

export interface CancelBookingRequest {
  reason?: string;
}

export interface CancelBookingResult {
  status: 'CANCELLED';
  refunded: boolean;
}

/** What the `bookingStatus` query returns while the saga runs (and after it ends). */
export interface BookingSagaState {
  bookingId: string;
  eventId: string;
  status: BookingStatus;
  seats: number;
  totalCents?: number;
  holdExpiresAt?: string;
  chargeId?: string;
  /** Set while a payment is being charged and confirmed. */
  paying: boolean;
  compensations: string[];
  failure?: { type: string; message: string };
  notified?: boolean;
}
