import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { BookingActivities } from '../../activities/index.js';
import { sagaActivityProxies } from '../saga/activity-proxies.js';
import {
  bookingStatusQuery,
  cancelBookingUpdate,
  confirmPaymentUpdate,
  holdOutcomeUpdate,
} from './booking.messages.js';
import type {
  BookingSagaInput,
  BookingSagaResult,
  BookingSagaState,
  BookingStatus,
  CancelBookingRequest,
  CancelBookingResult,
  ConfirmPaymentRequest,
  HoldResult,
  PaymentResult,
} from './booking.types.js';
import { ErrorType } from '../contracts/errors.js';
import { BookingStatusAttribute } from '../contracts/search-attributes.js';
import { failureOf, recordCompensationFailure } from '../saga/failures.js';
import { Saga } from '../saga/saga.js';
import { DEFAULT_PAYMENT_DEADLINE_SECONDS } from '../saga/step-options.js';
import { money, troubleText, withSummary } from '../saga/step-summary.js';

/**
 * Gates the workflow commands added for the Web UI (memo upserts with the total and the outcome, the
 * status attribute kept current when a compensation fails for good): histories recorded before
 * them replay without them.
 */
const sagaActivities = sagaActivityProxies<BookingActivities>();

export const BOOKING_UI_METADATA_PATCH = 'booking-ui-metadata';

type Ending = { status: 'EXPIRED' | 'CANCELLED' | 'FAILED'; reason: string };

/**
 * hold seats → wait for payment until the hold expires → charge → confirm → notify → stay
 * cancellable until the event starts. Expiry, cancellation and a failed payment all give the seats
 * back (and refund what was charged) through the same compensations.
 */
export async function bookingSaga(input: BookingSagaInput): Promise<BookingSagaResult> {
  const { steps, compensations, notifications } = sagaActivities;
  const payments = sagaActivities.payments(
    input.paymentDeadlineSeconds ?? DEFAULT_PAYMENT_DEADLINE_SECONDS,
  );
  const { bookingId, eventId, customerId, seats } = input;
  const state: BookingSagaState = {
    bookingId,
    eventId,
    status: 'PENDING',
    seats,
    paying: false,
    compensations: [],
  };
  let hold: HoldResult | undefined;
  let payment: ConfirmPaymentRequest | undefined;
  let paymentResult: PaymentResult | undefined;
  let cancel: CancelBookingRequest | undefined;
  let cancelResult: CancelBookingResult | undefined;
  let ending: Ending | undefined;
  let holdRequests = 0;
  let refunded = false;

  // The Web UI's "current details": where the saga is, in a few lines (a query, not a command).
  const showProgress = () => setCurrentDetails(bookingProgress(state));
  const setStatus = (status: BookingStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: BookingStatusAttribute, value: status }]);
    showProgress();
  };
  const withUiMetadata = () => patched(BOOKING_UI_METADATA_PATCH);
  const endedMessage = () =>
    `booking ${bookingId} is ${ending!.status.toLowerCase()}: ${ending!.reason}`;

  setHandler(bookingStatusQuery, () => state);
  setHandler(
    holdOutcomeUpdate,
    async () => {
      const replayed = ++holdRequests > 1;
      await condition(() => hold !== undefined);
      return { hold: hold!, replayed };
    },
    {
      validator: (fingerprint) => {
        if (fingerprint !== input.requestFingerprint)
          throw new Error(`booking ${bookingId} was already requested with a different body`);
      },
    },
  );
  setHandler(
    confirmPaymentUpdate,
    async (request) => {
      payment ??= request; // a repeated payment gets the first one's answer
      await condition(() => paymentResult !== undefined);
      return paymentResult!;
    },
    {
      validator: (_request) => {
        if (payment && !ending) return;
        if (ending)
          throw new Error(
            ending.status === 'EXPIRED' ? `${endedMessage()}; nothing was charged` : endedMessage(),
          );
        if (cancel) throw new Error(`booking ${bookingId} is being cancelled`);
        if (state.status !== 'HELD') throw new Error(`booking ${bookingId} has no seats held yet`);
      },
    },
  );
  setHandler(
    cancelBookingUpdate,
    async (request) => {
      cancel ??= request;
      await condition(() => cancelResult !== undefined);
      return cancelResult!;
    },
    {
      validator: (_request) => {
        if (cancel) return;
        if (ending) throw new Error(endedMessage());
        if (payment && !paymentResult)
          throw new Error(`booking ${bookingId} is being paid for; cancel once that has finished`);
        if (state.status !== 'HELD' && state.status !== 'CONFIRMED')
          throw new Error(`booking ${bookingId} has no seats held yet`);
      },
    },
  );

  const saga = new Saga({
    onCompensated: (name) => {
      state.compensations.push(name);
      showProgress();
    },
  });
  const chargeKey = Saga.idempotencyKey('charge');
  showProgress();

  /** Undoes what was done (refund, then seats), records how the booking ended, lets handlers answer. */
  const end = async (how: Ending) => {
    ending = how;
    log.info('booking saga ending', { bookingId, status: how.status, reason: how.reason });
    try {
      await saga.compensate();
    } catch (compensationFailure) {
      if (withUiMetadata()) recordCompensationFailure(setStatus, compensationFailure);
      throw compensationFailure;
    }
    setStatus(how.status);
    if (withUiMetadata()) {
      upsertMemo({
        outcome: { status: how.status, reason: how.reason, compensations: state.compensations },
      });
    }
    if (cancel) cancelResult = { status: 'CANCELLED', refunded };
  };
  const fail = async (failure: { type: string; message: string }): Promise<never> => {
    state.failure = failure;
    await condition(allHandlersFinished);
    throw ApplicationFailure.nonRetryable(
      `booking ${bookingId} failed: ${failure.message}`,
      failure.type,
    );
  };
  const finish = async (status: BookingSagaResult['status']): Promise<BookingSagaResult> => {
    await condition(allHandlersFinished);
    return { bookingId, status, ...(state.chargeId && { chargeId: state.chargeId }) };
  };

  // The hold commits atomically, so before it there is nothing to give back; registered first anyway,
  // so that every later ending releases the seats.
  saga.addCompensation('release-seats', () =>
    withSummary(
      compensations.releaseSeats,
      `Give ${seats} seat(s) back to event ${eventId}: booking ${bookingId} ${ending!.status}, ${ending!.reason}`,
      { bookingId, ...ending! },
    ),
  );
  const holdExpiresAt = new Date(Date.now() + input.holdSeconds * 1_000).toISOString();
  let held;
  try {
    held = await withSummary(
      steps.holdSeats,
      `Hold ${seats} seat(s) of event ${eventId} for customer ${customerId} until ${holdExpiresAt}`,
      { bookingId, eventId, customerId, seats, holdExpiresAt },
    );
  } catch (error) {
    state.failure = failureOf(error);
    setStatus('FAILED');
    hold = { status: 'FAILED' };
    return fail(state.failure);
  }
  if (held.kind === 'sold-out') {
    // A business outcome, not a failure: the saga completes (the Web UI does not list it as failed),
    // and the booking row and the BookingStatus attribute say FAILED with the reason.
    state.failure = {
      type: ErrorType.SoldOut,
      message: `sold out: ${seats} seat(s) requested, ${held.availableSeats} left`,
    };
    setStatus('FAILED');
    hold = { status: 'SOLD_OUT', availableSeats: held.availableSeats };
    return finish('SOLD_OUT');
  }
  state.totalCents = held.totalCents;
  state.holdExpiresAt = held.holdExpiresAt;
  if (withUiMetadata()) {
    upsertMemo({
      totalCents: held.totalCents,
      total: money(held.totalCents),
      holdExpiresAt: held.holdExpiresAt,
    });
  }
  setStatus('HELD');
  hold = { status: 'HELD', holdExpiresAt: held.holdExpiresAt, totalCents: held.totalCents };

  // The durable timer: the hold expires unless payment or a cancellation comes first. A payment the
  // validator accepted counts even if the timer fired in the same workflow task.
  await condition(
    () => payment !== undefined || cancel !== undefined,
    Math.max(Date.parse(held.holdExpiresAt) - Date.now(), 1),
    {
      summary: `Hold of ${seats} seat(s) expires at ${held.holdExpiresAt} unless paid or cancelled`,
    },
  );
  if (cancel) {
    await end({ status: 'CANCELLED', reason: cancel.reason ?? 'cancelled by the customer' });
    return finish('CANCELLED');
  }
  if (!payment) {
    await end({ status: 'EXPIRED', reason: `the hold expired at ${held.holdExpiresAt}` });
    return finish('EXPIRED');
  }

  state.paying = true;
  showProgress();
  saga.addCompensation('refund', async (idempotencyKey) => {
    ({ refunded } = await withSummary(
      compensations.refundBooking,
      state.chargeId
        ? `Refund charge ${state.chargeId} (${money(held.totalCents)}) of booking ${bookingId}`
        : `Refund or void any charge under key ${chargeKey} of booking ${bookingId}`,
      { bookingId, idempotencyKey, chargeIdempotencyKey: chargeKey },
    ));
  });
  try {
    const { chargeId } = await withSummary(
      payments.chargeBooking,
      `Charge ${money(held.totalCents)} to customer ${customerId} for ${seats} seat(s) (key ${chargeKey})`,
      {
        bookingId,
        customerId,
        amountCents: held.totalCents,
        cardToken: payment.paymentToken,
        idempotencyKey: chargeKey,
      },
    );
    state.chargeId = chargeId;
    await withSummary(steps.confirmBooking, `Confirm booking ${bookingId} (charge ${chargeId})`, {
      bookingId,
    });
  } catch (error) {
    const failure = failureOf(error);
    state.failure = failure;
    await end({ status: 'FAILED', reason: failure.message });
    state.paying = false;
    paymentResult = { status: 'FAILED', reason: failure };
    return fail(failure);
  }
  state.paying = false;
  setStatus('CONFIRMED');
  if (withUiMetadata()) upsertMemo({ outcome: { status: 'CONFIRMED', chargeId: state.chargeId } });
  paymentResult = { status: 'CONFIRMED', chargeId: state.chargeId };

  try {
    await withSummary(
      notifications.notifyBookingConfirmed,
      `Notify customer ${customerId} that booking ${bookingId} (${seats} seat(s), ${money(held.totalCents)}) is confirmed`,
      {
        bookingId,
        customerId,
        seats,
        totalCents: held.totalCents,
        idempotencyKey: Saga.idempotencyKey('notify'),
      },
    );
    state.notified = true;
  } catch (error) {
    state.notified = false;
    showProgress();
    log.warn('customer notification failed; the booking stays confirmed', {
      bookingId,
      error: String(error),
    });
  }

  // A confirmed booking can still be cancelled (and refunded) until the event starts.
  const untilStart = Date.parse(held.eventStartsAt) - Date.now();
  const cancelled =
    untilStart > 0 &&
    (await condition(() => cancel !== undefined, untilStart, {
      summary: `Booking ${bookingId} stays cancellable until the event starts at ${held.eventStartsAt}`,
    }));
  if (cancelled) {
    await end({ status: 'CANCELLED', reason: cancel!.reason ?? 'cancelled by the customer' });
    return finish('CANCELLED');
  }
  return finish('CONFIRMED');
}

/** The saga's progress as the Web UI's "current details" show it (Temporal markdown). */
function bookingProgress(state: BookingSagaState): string {
  const facts = [`booking ${state.bookingId}`, `${state.seats} seat(s) of event ${state.eventId}`];
  if (state.totalCents !== undefined) facts.push(`total ${money(state.totalCents)}`);
  if (state.chargeId) facts.push(`charge ${state.chargeId}`);
  const lines = [`**${state.status}**: ${facts.join(', ')}`];
  if (state.status === 'HELD' && state.holdExpiresAt)
    lines.push(`held until ${state.holdExpiresAt}`);
  if (state.paying) lines.push('charging the payment');
  const trouble = troubleText(state);
  if (trouble) lines.push(trouble);
  return lines.join('\n\n');
}
