import { condition, setHandler } from '@temporalio/workflow';
import {
  bookingStatusQuery,
  cancelBookingUpdate,
  confirmPaymentUpdate,
  HOLD_CONFLICT_REASON,
  holdOutcomeUpdate,
} from './booking.messages.js';
import { endedMessage, type BookingState } from './booking.state.js';
import type { BookingSagaInput } from './booking.types.js';

/**
 * The booking saga's query and Updates. Each Update's validator rejects what the booking's state
 * does not allow; an accepted one records its request and waits for the answer the flow sets.
 */
export function registerBookingHandlers(booking: BookingState, input: BookingSagaInput): void {
  setHandler(bookingStatusQuery, () => booking.view);
  setHandler(
    holdOutcomeUpdate,
    async () => {
      const replayed = ++booking.holdRequests > 1;
      return { hold: await answerOf(() => booking.hold), replayed };
    },
    { validator: (fingerprint) => validateHoldRequest(input, fingerprint) },
  );
  setHandler(
    confirmPaymentUpdate,
    async (request) => {
      booking.payment ??= request; // a repeated payment gets the first one's answer
      return answerOf(() => booking.paymentResult);
    },
    { validator: (_request) => validatePayment(booking) },
  );
  setHandler(
    cancelBookingUpdate,
    async (request) => {
      booking.cancel ??= request;
      return answerOf(() => booking.cancelResult);
    },
    { validator: (_request) => validateCancel(booking) },
  );
}

/** Waits until the flow has set an answer, and returns it. */
async function answerOf<T>(read: () => T | undefined): Promise<T> {
  let answer: T | undefined;
  while (answer === undefined) {
    await condition(() => read() !== undefined);
    answer = read();
  }
  return answer;
}

function validateHoldRequest(input: BookingSagaInput, fingerprint: string): void {
  if (fingerprint !== input.requestFingerprint)
    throw new Error(`booking ${input.bookingId} ${HOLD_CONFLICT_REASON}`);
}

function validatePayment({ view, payment, cancel, ending }: BookingState): void {
  if (payment && !ending) return;
  if (ending) {
    const ended = endedMessage(view.bookingId, ending);
    throw new Error(ending.status === 'EXPIRED' ? `${ended}; nothing was charged` : ended);
  }
  if (cancel) throw new Error(`booking ${view.bookingId} is being cancelled`);
  if (view.status !== 'HELD') throw new Error(`booking ${view.bookingId} has no seats held yet`);
}

function validateCancel({ view, payment, paymentResult, cancel, ending }: BookingState): void {
  if (cancel) return;
  if (ending) throw new Error(endedMessage(view.bookingId, ending));
  if (payment && !paymentResult)
    throw new Error(`booking ${view.bookingId} is being paid for; cancel once that has finished`);
  if (view.status !== 'HELD' && view.status !== 'CONFIRMED')
    throw new Error(`booking ${view.bookingId} has no seats held yet`);
}
