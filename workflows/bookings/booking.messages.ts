import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  BookingSagaState,
  CancelBookingRequest,
  CancelBookingResult,
  ConfirmPaymentRequest,
  HoldReply,
  PaymentResult,
} from './booking.types.js';

export const bookingStatusQuery = defineQuery<BookingSagaState>('bookingStatus');

/**
 * Answers once the seats are held or sold out. `POST /bookings` sends it with the saga's start
 * (update-with-start), so the caller learns the outcome of the hold in one round trip. The argument
 * is the request's fingerprint: a retried POST with a different body is rejected.
 */
export const holdOutcomeUpdate = defineUpdate<HoldReply, [string]>('holdOutcome');

/** How holdOutcome rejects another body under the same key; the API, seeing only text, matches it. */
export const HOLD_CONFLICT_REASON = 'was already requested with a different body';

/** Pays for the held seats; answers once the booking is confirmed, or with why not. */
export const confirmPaymentUpdate = defineUpdate<PaymentResult, [ConfirmPaymentRequest]>(
  'confirmPayment',
);

/** Releases the seats (and refunds, if paid); answers once that is done. */
export const cancelBookingUpdate = defineUpdate<CancelBookingResult, [CancelBookingRequest]>(
  'cancelBooking',
);
