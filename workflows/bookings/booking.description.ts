import { chargeIdempotencyKey } from '../contracts/idempotency-keys.js';
import { bookingWorkflowId } from '../contracts/names.js';
import { DEFAULT_PAYMENT_DEADLINE_SECONDS } from '../contracts/payment-deadline.js';
import type { SagaDescription } from '../contracts/saga-description.js';
import type { BookingSagaInput } from './booking.types.js';

/** The booking saga as the Web UI introduces it (the API sets this when it starts the saga). */
export function describeBooking(input: BookingSagaInput): SagaDescription {
  const { bookingId, eventId, customerId, seats } = input;
  const summary = `Booking ${bookingId}: ${seats} seat(s) of event ${eventId} for customer ${customerId}`;
  const deadline = input.paymentDeadlineSeconds ?? DEFAULT_PAYMENT_DEADLINE_SECONDS;
  return {
    staticSummary: summary,
    staticDetails: [
      `**Booking** \`${bookingId}\` (the Idempotency-Key) for customer \`${customerId}\``,
      `**Seats**: ${seats} of event \`${eventId}\`, held for ${input.holdSeconds} s until paid`,
      `**Payment**: charge key \`${chargeIdempotencyKey(bookingWorkflowId(bookingId))}\`, deadline ${deadline} s; on expiry, cancel or failure: refundBooking, then releaseSeats`,
    ].join('\n\n'),
    memo: { summary, eventId, seats, customerId },
  };
}
