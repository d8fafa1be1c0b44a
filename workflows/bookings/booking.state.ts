import { money } from '../contracts/money.js';
import { troubleText } from '../saga/step-summary.js';
import type {
  BookingSagaInput,
  BookingSagaState,
  CancelBookingRequest,
  CancelBookingResult,
  ConfirmPaymentRequest,
  HoldResult,
  PaymentResult,
} from './booking.types.js';

/** How a booking that is not (or no longer) confirmed ended, and why. */
export interface BookingEnding {
  status: 'EXPIRED' | 'CANCELLED' | 'FAILED';
  reason: string;
}

/**
 * What the booking saga's flow and its Update handlers share. The flow sets each answer once; each
 * request is kept from the first Update that carries it, so a repeat gets the same answer.
 */
export interface BookingState {
  /** What the `bookingStatus` query answers. */
  view: BookingSagaState;
  /** The answer to `holdOutcome`, once the seats are held, sold out or the hold failed. */
  hold?: HoldResult;
  /** How many `holdOutcome` requests came (more than one: a retried POST). */
  holdRequests: number;
  payment?: ConfirmPaymentRequest;
  paymentResult?: PaymentResult;
  cancel?: CancelBookingRequest;
  cancelResult?: CancelBookingResult;
  ending?: BookingEnding;
  /** Whether the refund compensation gave money back (the answer to `cancelBooking`). */
  refunded: boolean;
}

export function initialBookingState(input: BookingSagaInput): BookingState {
  const { bookingId, eventId, seats } = input;
  return {
    view: { bookingId, eventId, status: 'PENDING', seats, paying: false, compensations: [] },
    holdRequests: 0,
    refunded: false,
  };
}

/** How a cancelled booking ends. */
export function cancellation(
  cancel: CancelBookingRequest,
): BookingEnding & { status: 'CANCELLED' } {
  return { status: 'CANCELLED', reason: cancel.reason ?? 'cancelled by the customer' };
}

/** Why an Update finds the booking over: `booking B is expired: the hold expired at …`. */
export const endedMessage = (bookingId: string, ending: BookingEnding): string =>
  `booking ${bookingId} is ${ending.status.toLowerCase()}: ${ending.reason}`;

/** The saga's progress as the Web UI's "current details" show it (Temporal markdown). */
export function bookingProgress(view: BookingSagaState): string {
  const facts = [`booking ${view.bookingId}`, `${view.seats} seat(s) of event ${view.eventId}`];
  if (view.totalCents !== undefined) facts.push(`total ${money(view.totalCents)}`);
  if (view.chargeId) facts.push(`charge ${view.chargeId}`);
  const lines = [`**${view.status}**: ${facts.join(', ')}`];
  if (view.status === 'HELD' && view.holdExpiresAt) lines.push(`held until ${view.holdExpiresAt}`);
  if (view.paying) lines.push('charging the payment');
  const trouble = troubleText(view);
  if (trouble) lines.push(trouble);
  return lines.join('\n\n');
}
