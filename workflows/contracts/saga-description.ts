import type { BookingSagaInput } from '../bookings/booking.types.js';
import { bookingWorkflowId, orderWorkflowId } from './names.js';
import type { OrderSagaInput } from '../orders/order.types.js';
import { DEFAULT_PAYMENT_DEADLINE_SECONDS } from '../saga/step-options.js';
import { itemsText, unitsOf } from '../saga/step-summary.js';

/**
 * How a saga introduces itself in the Web UI, set when the API starts it: a one-line summary and
 * a few lines of details (Temporal markdown) at the top of the workflow page, and a memo with the
 * business facts. The workflow adds what it learns later (the total, the outcome) to the memo.
 */
export interface SagaDescription {
  staticSummary: string;
  staticDetails: string;
  memo: Record<string, unknown>;
}

export function describeOrder(input: OrderSagaInput): SagaDescription {
  const { orderId, customerId, items } = input;
  const units = unitsOf(items);
  const summary = `Order ${orderId}: ${units} item(s) (${itemsText(items)}) for customer ${customerId}`;
  return {
    staticSummary: summary,
    staticDetails: [
      `**Order** \`${orderId}\` (the Idempotency-Key) for customer \`${customerId}\``,
      `**Items**: ${items.map((item) => `${item.quantity} × \`${item.sku}\``).join(', ')}`,
      `**Payment**: charge key \`${orderWorkflowId(orderId)}:charge\`, deadline ${input.paymentDeadlineSeconds ?? DEFAULT_PAYMENT_DEADLINE_SECONDS} s; on failure or cancel: refundPayment, then releaseInventory`,
    ].join('\n\n'),
    memo: { summary, customerId, items, units },
  };
}

export function describeBooking(input: BookingSagaInput): SagaDescription {
  const { bookingId, eventId, customerId, seats } = input;
  const summary = `Booking ${bookingId}: ${seats} seat(s) of event ${eventId} for customer ${customerId}`;
  return {
    staticSummary: summary,
    staticDetails: [
      `**Booking** \`${bookingId}\` (the Idempotency-Key) for customer \`${customerId}\``,
      `**Seats**: ${seats} of event \`${eventId}\`, held for ${input.holdSeconds} s until paid`,
      `**Payment**: charge key \`${bookingWorkflowId(bookingId)}:charge\`, deadline ${input.paymentDeadlineSeconds ?? DEFAULT_PAYMENT_DEADLINE_SECONDS} s; on expiry, cancel or failure: refundBooking, then releaseSeats`,
    ].join('\n\n'),
    memo: { summary, eventId, seats, customerId },
  };
}
