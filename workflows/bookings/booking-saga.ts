import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { BookingActivities } from '../../activities/index.js';
import { ErrorType } from '../contracts/errors.js';
import { money } from '../contracts/money.js';
import { DEFAULT_PAYMENT_DEADLINE_SECONDS } from '../contracts/payment-deadline.js';
import { BookingStatusAttribute } from '../contracts/search-attributes.js';
import { sagaActivityProxies } from '../saga/activity-proxies.js';
import { failureOf } from '../saga/failures.js';
import { Saga } from '../saga/saga.js';
import { SagaRun } from '../saga/saga-run.js';
import { withSummary } from '../saga/step-summary.js';
import { registerBookingHandlers } from './booking.handlers.js';
import {
  bookingProgress,
  cancellation,
  initialBookingState,
  type BookingEnding,
  type BookingState,
} from './booking.state.js';
import type {
  BookingSagaInput,
  BookingSagaResult,
  BookingStatus,
  CancelBookingRequest,
  ConfirmPaymentRequest,
  HoldOutcome,
} from './booking.types.js';

const { steps, compensations, notifications, payments } = sagaActivityProxies<BookingActivities>();

/** Gates the workflow commands added for the Web UI (see SagaRunOptions.uiMetadataPatch). */
export const BOOKING_UI_METADATA_PATCH = 'booking-ui-metadata';

type HeldSeats = Extract<HoldOutcome, { kind: 'held' }>;

/** What each part of the flow works on. */
interface BookingFlow {
  input: BookingSagaInput;
  booking: BookingState;
  run: SagaRun<BookingStatus, BookingEnding>;
  payments: ActivityInterfaceFor<BookingActivities>;
}

/**
 * hold seats → wait for payment until the hold expires → charge → confirm → notify → stay
 * cancellable until the event starts. Expiry, cancellation and a failed payment all give the seats
 * back (and refund what was charged) through the same compensations.
 */
export async function bookingSaga(input: BookingSagaInput): Promise<BookingSagaResult> {
  const deadlineSeconds = input.paymentDeadlineSeconds ?? DEFAULT_PAYMENT_DEADLINE_SECONDS;
  const booking = initialBookingState(input);
  registerBookingHandlers(booking, input);
  const run = new SagaRun<BookingStatus, BookingEnding>({
    state: booking.view,
    statusAttribute: BookingStatusAttribute,
    progress: () => bookingProgress(booking.view),
    uiMetadataPatch: BOOKING_UI_METADATA_PATCH,
  });
  run.showProgress();
  const flow: BookingFlow = { input, booking, run, payments: payments(deadlineSeconds) };

  const held = await holdSeats(flow);
  if (held.kind === 'sold-out') return finish(flow, 'SOLD_OUT');

  // The durable timer: the hold expires unless payment or a cancellation comes first. A payment the
  // validator accepted counts even if the timer fired in the same workflow task.
  await condition(
    () => booking.payment !== undefined || booking.cancel !== undefined,
    Math.max(Date.parse(held.holdExpiresAt) - Date.now(), 1),
    {
      summary: `Hold of ${input.seats} seat(s) expires at ${held.holdExpiresAt} unless paid or cancelled`,
    },
  );
  if (booking.cancel) return endAndFinish(flow, cancellation(booking.cancel));
  if (!booking.payment) {
    const reason = `the hold expired at ${held.holdExpiresAt}`;
    return endAndFinish(flow, { status: 'EXPIRED', reason });
  }

  await chargeAndConfirm(flow, held, booking.payment);
  await notifyConfirmed(flow, held);
  const cancel = await cancelledBeforeStart(flow, held.eventStartsAt);
  return cancel ? endAndFinish(flow, cancellation(cancel)) : finish(flow, 'CONFIRMED');
}

/** Holds the seats (registering their release first); a failed hold fails the saga. */
async function holdSeats(flow: BookingFlow): Promise<HoldOutcome> {
  const { input, booking, run } = flow;
  const { bookingId, eventId, customerId, seats } = input;
  // The hold commits atomically, so before it there is nothing to give back; registered first anyway,
  // so that every later ending releases the seats.
  run.addCompensation('release-seats', (_idempotencyKey, ending) =>
    withSummary(
      compensations.releaseSeats,
      `Give ${seats} seat(s) back to event ${eventId}: booking ${bookingId} ${ending.status}, ${ending.reason}`,
      { bookingId, ...ending },
    ),
  );
  const holdExpiresAt = new Date(Date.now() + input.holdSeconds * 1_000).toISOString();
  let held: HoldOutcome;
  try {
    held = await withSummary(
      steps.holdSeats,
      `Hold ${seats} seat(s) of event ${eventId} for customer ${customerId} until ${holdExpiresAt}`,
      { bookingId, eventId, customerId, seats, holdExpiresAt },
    );
  } catch (error) {
    booking.view.failure = failureOf(error);
    run.setStatus('FAILED');
    booking.hold = { status: 'FAILED' };
    return fail(flow, booking.view.failure);
  }
  if (held.kind === 'sold-out') {
    // A business outcome, not a failure: the saga completes (the Web UI does not list it as failed),
    // and the booking row and the BookingStatus attribute say FAILED with the reason.
    booking.view.failure = {
      type: ErrorType.SoldOut,
      message: `sold out: ${seats} seat(s) requested, ${held.availableSeats} left`,
    };
    run.setStatus('FAILED');
    booking.hold = { status: 'SOLD_OUT', availableSeats: held.availableSeats };
    return held;
  }
  booking.view.totalCents = held.totalCents;
  booking.view.holdExpiresAt = held.holdExpiresAt;
  run.upsertUiMemo({
    totalCents: held.totalCents,
    total: money(held.totalCents),
    holdExpiresAt: held.holdExpiresAt,
  });
  run.setStatus('HELD');
  booking.hold = { status: 'HELD', holdExpiresAt: held.holdExpiresAt, totalCents: held.totalCents };
  return held;
}

/** Charges the held seats and confirms the booking; a failure gives everything back and fails. */
async function chargeAndConfirm(
  flow: BookingFlow,
  held: HeldSeats,
  payment: ConfirmPaymentRequest,
): Promise<void> {
  const { input, booking, run } = flow;
  const { bookingId, customerId, seats } = input;
  const { view } = booking;
  const chargeKey = run.chargeKey;
  view.paying = true;
  run.showProgress();
  run.addCompensation('refund', async (idempotencyKey) => {
    const { refunded } = await withSummary(
      compensations.refundBooking,
      view.chargeId
        ? `Refund charge ${view.chargeId} (${money(held.totalCents)}) of booking ${bookingId}`
        : `Refund or void any charge under key ${chargeKey} of booking ${bookingId}`,
      { bookingId, idempotencyKey, chargeIdempotencyKey: chargeKey },
    );
    booking.refunded = refunded;
  });
  try {
    const { chargeId } = await withSummary(
      flow.payments.chargeBooking,
      `Charge ${money(held.totalCents)} to customer ${customerId} for ${seats} seat(s) (key ${chargeKey})`,
      {
        bookingId,
        customerId,
        amountCents: held.totalCents,
        cardToken: payment.paymentToken,
        idempotencyKey: chargeKey,
      },
    );
    view.chargeId = chargeId;
    await withSummary(steps.confirmBooking, `Confirm booking ${bookingId} (charge ${chargeId})`, {
      bookingId,
    });
  } catch (error) {
    const failure = failureOf(error);
    view.failure = failure;
    await end(flow, { status: 'FAILED', reason: failure.message });
    view.paying = false;
    booking.paymentResult = { status: 'FAILED', reason: failure };
    return fail(flow, failure);
  }
  view.paying = false;
  run.setStatus('CONFIRMED');
  run.upsertUiMemo({ outcome: { status: 'CONFIRMED', chargeId: view.chargeId } });
  booking.paymentResult = { status: 'CONFIRMED', chargeId: view.chargeId };
}

async function notifyConfirmed({ input, run }: BookingFlow, held: HeldSeats): Promise<void> {
  const { bookingId, customerId, seats } = input;
  await run.notifyCustomer(
    () =>
      withSummary(
        notifications.notifyBookingConfirmed,
        `Notify customer ${customerId} that booking ${bookingId} (${seats} seat(s), ${money(held.totalCents)}) is confirmed`,
        {
          bookingId,
          customerId,
          seats,
          totalCents: held.totalCents,
          idempotencyKey: Saga.idempotencyKey('notify'),
        },
      ),
    'booking',
    { bookingId },
  );
}

/** A confirmed booking can still be cancelled (and refunded) until the event starts. */
async function cancelledBeforeStart(
  { input, booking }: BookingFlow,
  eventStartsAt: string,
): Promise<CancelBookingRequest | undefined> {
  const untilStart = Date.parse(eventStartsAt) - Date.now();
  const cancelled =
    untilStart > 0 &&
    (await condition(() => booking.cancel !== undefined, untilStart, {
      summary: `Booking ${input.bookingId} stays cancellable until the event starts at ${eventStartsAt}`,
    }));
  return cancelled ? booking.cancel : undefined;
}

/** Undoes what was done (refund, then seats), records how the booking ended, lets handlers answer. */
async function end({ input, booking, run }: BookingFlow, how: BookingEnding): Promise<void> {
  booking.ending = how;
  log.info('booking saga ending', {
    bookingId: input.bookingId,
    status: how.status,
    reason: how.reason,
  });
  await run.compensate(how);
  run.setStatus(how.status);
  run.upsertUiMemo({
    outcome: { status: how.status, reason: how.reason, compensations: booking.view.compensations },
  });
  if (booking.cancel) booking.cancelResult = { status: 'CANCELLED', refunded: booking.refunded };
}

/** Ends the booking as `how` says, then completes the saga with that status. */
async function endAndFinish(
  flow: BookingFlow,
  how: BookingEnding & { status: 'EXPIRED' | 'CANCELLED' },
): Promise<BookingSagaResult> {
  await end(flow, how);
  return finish(flow, how.status);
}

/** Fails the saga once every Update has its answer. */
async function fail(
  { input, booking }: BookingFlow,
  failure: { type: string; message: string },
): Promise<never> {
  booking.view.failure = failure;
  await condition(allHandlersFinished);
  throw ApplicationFailure.nonRetryable(
    `booking ${input.bookingId} failed: ${failure.message}`,
    failure.type,
  );
}

/** Ends the saga once every Update has its answer. */
async function finish(
  { input, booking }: BookingFlow,
  status: BookingSagaResult['status'],
): Promise<BookingSagaResult> {
  await condition(allHandlersFinished);
  const { chargeId } = booking.view;
  return { bookingId: input.bookingId, status, ...(chargeId && { chargeId }) };
}
