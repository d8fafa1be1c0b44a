import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import {
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingSaga } from '../../workflows/bookings/booking-saga.js';
import {
  bookingStatusQuery,
  cancelBookingUpdate,
  confirmPaymentUpdate,
  holdOutcomeUpdate,
} from '../../workflows/bookings/booking.messages.js';
import type { BookingSagaInput } from '../../workflows/bookings/booking.types.js';
import { ErrorType } from '../../workflows/contracts/errors.js';
import { bookingWorkflowId } from '../../workflows/contracts/names.js';
import { fakeBookingActivities } from '../support/fake-booking-activities.js';
import { gate } from '../support/fake-activities.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';
import {
  createTestWorker,
  registerSearchAttributes,
  workflowBundle,
} from '../support/workflow-worker.js';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  [env] = await Promise.all([createTimeSkippingEnv(), workflowBundle()]);
  await registerSearchAttributes(env);
});

afterAll(async () => {
  await env?.teardown();
});

const HOLD_SECONDS = 600; // the default 10-minute hold

function bookingInput(overrides: Partial<BookingSagaInput> = {}): BookingSagaInput {
  return {
    bookingId: randomUUID(),
    eventId: randomUUID(),
    customerId: 'customer-1',
    seats: 2,
    holdSeconds: HOLD_SECONDS,
    requestFingerprint: 'fp-1',
    ...overrides,
  };
}

type Handle = WorkflowHandle<typeof bookingSaga>;

/**
 * Starts a booking saga on a fresh worker, waits for its hold like `POST /bookings` does, then lets
 * the test drive it; the worker runs until `drive` returns.
 */
async function withBooking<T>(
  fake: ReturnType<typeof fakeBookingActivities>,
  drive: (handle: Handle) => Promise<T>,
  input = bookingInput(),
): Promise<T> {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await createTestWorker(env, taskQueue, fake.activities);
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(bookingSaga, {
      taskQueue,
      workflowId: bookingWorkflowId(input.bookingId),
      args: [input],
    });
    return drive(handle);
  });
}

const outcomeOf = (handle: Handle) =>
  handle.result().then(
    (result) => ({ result, error: undefined }),
    (error: unknown) => ({ result: undefined, error }),
  );

const failureType = (error: unknown) =>
  error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure
    ? error.cause.type
    : undefined;

const hold = (handle: Handle, fingerprint = 'fp-1') =>
  handle.executeUpdate(holdOutcomeUpdate, { args: [fingerprint] });
const pay = (handle: Handle, paymentToken = 'tok_visa') =>
  handle.executeUpdate(confirmPaymentUpdate, { args: [{ paymentToken }] });
const releaseCall = (calls: { name: string; input: unknown }[]) =>
  calls.find((c) => c.name === 'releaseSeats')?.input;

describe('bookingSaga', () => {
  it('holds, then on payment charges with a deterministic key, confirms and notifies', async () => {
    const fake = fakeBookingActivities({}, 60_000);
    const input = bookingInput();
    const { reply, payment, outcome, state } = await withBooking(
      fake,
      async (handle) => {
        const reply = await hold(handle);
        const payment = await pay(handle);
        const outcome = await outcomeOf(handle); // the event starts a minute after the hold: the saga ends
        return { reply, payment, outcome, state: await handle.query(bookingStatusQuery) };
      },
      input,
    );
    expect(reply).toMatchObject({ replayed: false, hold: { status: 'HELD', totalCents: 5_000 } });
    expect(payment).toEqual({ status: 'CONFIRMED', chargeId: 'ch_booking' });
    expect(outcome.result).toEqual({
      bookingId: input.bookingId,
      status: 'CONFIRMED',
      chargeId: 'ch_booking',
    });
    expect(fake.names()).toEqual([
      'holdSeats',
      'chargeBooking',
      'confirmBooking',
      'notifyBookingConfirmed',
    ]);
    expect(fake.calls.find((c) => c.name === 'chargeBooking')?.input).toMatchObject({
      amountCents: 5_000,
      cardToken: 'tok_visa',
      idempotencyKey: `booking:${input.bookingId}:charge`,
    });
    expect(state).toMatchObject({
      status: 'CONFIRMED',
      chargeId: 'ch_booking',
      notified: true,
      paying: false,
    });
  });

  it('releases the seats when a 10-minute hold expires without payment (a durable timer, skipped in time)', async () => {
    const fake = fakeBookingActivities();
    const startedAt = Date.now();
    const { result, holdExpiresAt } = await withBooking(fake, async (handle) => {
      const reply = await hold(handle);
      const { result } = await outcomeOf(handle);
      return {
        result,
        holdExpiresAt: reply.hold.status === 'HELD' ? reply.hold.holdExpiresAt : undefined,
      };
    });
    expect(result?.status).toBe('EXPIRED');
    expect(fake.names()).toEqual(['holdSeats', 'releaseSeats']);
    expect(releaseCall(fake.calls)).toMatchObject({
      status: 'EXPIRED',
      reason: `the hold expired at ${holdExpiresAt}`,
    });
    // Ten minutes of workflow time passed, far less of the wall clock.
    expect(Date.parse(holdExpiresAt!) - startedAt).toBeGreaterThanOrEqual(
      HOLD_SECONDS * 1_000 - 5_000,
    );
  });

  it('confirms a payment made one second before the hold expires', async () => {
    const fake = fakeBookingActivities({}, 60_000);
    const payment = await withBooking(fake, async (handle) => {
      await hold(handle);
      await env.sleep((HOLD_SECONDS - 1) * 1_000);
      const payment = await pay(handle);
      await handle.result();
      return payment;
    });
    expect(payment.status).toBe('CONFIRMED');
    expect(fake.names()).not.toContain('releaseSeats');
  });

  it('rejects a payment after the hold expired and charges nothing', async () => {
    const fake = fakeBookingActivities();
    const rejection = await withBooking(fake, async (handle) => {
      await hold(handle);
      await env.sleep((HOLD_SECONDS + 1) * 1_000);
      expect((await handle.result()).status).toBe('EXPIRED');
      return pay(handle).then(
        () => undefined,
        (error: unknown) => error,
      );
    });
    expect(rejection).toBeDefined();
    expect(fake.names()).toEqual(['holdSeats', 'releaseSeats']);
  });

  it('rejects a payment that arrives while the expired hold is being released', async () => {
    const releasing = gate();
    const fake = fakeBookingActivities({
      releaseSeats: async () => (await releasing.pass(), { released: true }),
    });
    await withBooking(fake, async (handle) => {
      await hold(handle);
      const result = handle.result();
      await releasing.reached;
      await expect(pay(handle)).rejects.toThrow(WorkflowUpdateFailedError);
      releasing.open();
      expect((await result).status).toBe('EXPIRED');
    });
    expect(fake.names()).not.toContain('chargeBooking');
  });

  it('cancel while held: releases the seats, refunds nothing', async () => {
    const fake = fakeBookingActivities();
    const { cancelled, result } = await withBooking(fake, async (handle) => {
      await hold(handle);
      const cancelled = await handle.executeUpdate(cancelBookingUpdate, {
        args: [{ reason: 'plans changed' }],
      });
      return { cancelled, result: await handle.result() };
    });
    expect(cancelled).toEqual({ status: 'CANCELLED', refunded: false });
    expect(result.status).toBe('CANCELLED');
    expect(fake.names()).toEqual(['holdSeats', 'releaseSeats']);
    expect(releaseCall(fake.calls)).toMatchObject({ status: 'CANCELLED', reason: 'plans changed' });
  });

  it('cancel after confirmation: refunds, then releases the seats', async () => {
    const fake = fakeBookingActivities();
    const input = bookingInput();
    const { cancelled, state } = await withBooking(
      fake,
      async (handle) => {
        await hold(handle);
        await pay(handle);
        const cancelled = await handle.executeUpdate(cancelBookingUpdate, { args: [{}] });
        await handle.result();
        return { cancelled, state: await handle.query(bookingStatusQuery) };
      },
      input,
    );
    expect(cancelled).toEqual({ status: 'CANCELLED', refunded: true });
    expect(fake.names()).toEqual([
      'holdSeats',
      'chargeBooking',
      'confirmBooking',
      'notifyBookingConfirmed',
      'refundBooking',
      'releaseSeats',
    ]);
    expect(fake.calls.find((c) => c.name === 'refundBooking')?.input).toEqual({
      bookingId: input.bookingId,
      idempotencyKey: `booking:${input.bookingId}:refund`,
      chargeIdempotencyKey: `booking:${input.bookingId}:charge`,
    });
    expect(state).toMatchObject({
      status: 'CANCELLED',
      compensations: ['refund', 'release-seats'],
    });
  });

  it('a declined payment answers why, voids the charge key and releases the seats', async () => {
    const fake = fakeBookingActivities({
      chargeBooking: async () => {
        throw ApplicationFailure.nonRetryable(
          'payment declined: card_declined',
          ErrorType.PaymentDeclined,
        );
      },
    });
    const { payment, outcome } = await withBooking(fake, async (handle) => {
      await hold(handle);
      const payment = await pay(handle, 'tok_declined');
      return { payment, outcome: await outcomeOf(handle) };
    });
    expect(payment).toEqual({
      status: 'FAILED',
      reason: { type: ErrorType.PaymentDeclined, message: 'payment declined: card_declined' },
    });
    expect(failureType(outcome.error)).toBe(ErrorType.PaymentDeclined);
    expect(fake.names()).toEqual(['holdSeats', 'chargeBooking', 'refundBooking', 'releaseSeats']);
    expect(releaseCall(fake.calls)).toMatchObject({ status: 'FAILED' });
  });

  it('releases the seats when payment cannot complete before its deadline', async () => {
    let charging!: () => void;
    const firstAttempt = new Promise<void>((resolve) => (charging = resolve));
    const fake = fakeBookingActivities({
      chargeBooking: async () => {
        charging();
        throw new Error('gateway unavailable');
      },
    });
    const { payment } = await withBooking(
      fake,
      async (handle) => {
        await hold(handle);
        const payment = pay(handle);
        await firstAttempt;
        // Only now await the result, which lets the server skip time through the retries (earlier, it
        // could skip straight past the hold's expiry before the payment arrived).
        const outcome = await outcomeOf(handle);
        return { payment: await payment, outcome };
      },
      bookingInput({ paymentDeadlineSeconds: 20 }),
    );
    expect(payment).toMatchObject({
      status: 'FAILED',
      reason: { type: ErrorType.PaymentDeadlineExceeded },
    });
    expect(fake.names().slice(-2)).toEqual(['refundBooking', 'releaseSeats']);
  });

  it('answers sold out as a typed outcome (the saga completes, it does not fail) and releases nothing', async () => {
    const fake = fakeBookingActivities({
      holdSeats: async () => ({ kind: 'sold-out', availableSeats: 1 }),
    });
    const input = bookingInput();
    const { reply, result, state } = await withBooking(
      fake,
      async (handle) => ({
        reply: await hold(handle),
        result: await handle.result(),
        state: await handle.query(bookingStatusQuery),
      }),
      input,
    );
    expect(reply.hold).toEqual({ status: 'SOLD_OUT', availableSeats: 1 });
    expect(result).toEqual({ bookingId: input.bookingId, status: 'SOLD_OUT' });
    expect(state).toMatchObject({ status: 'FAILED', failure: { type: ErrorType.SoldOut } });
    expect(fake.names()).toEqual(['holdSeats']);
  });

  it('gives a repeated request the same answer, and rejects a different body under the same key', async () => {
    const fake = fakeBookingActivities();
    await withBooking(fake, async (handle) => {
      expect((await hold(handle)).replayed).toBe(false);
      expect(await hold(handle)).toMatchObject({ replayed: true, hold: { status: 'HELD' } });
      await expect(hold(handle, 'another-body')).rejects.toThrow(WorkflowUpdateFailedError);
      const [first, second] = await Promise.all([pay(handle), pay(handle, 'tok_other')]);
      expect(second).toEqual(first);
      await handle.executeUpdate(cancelBookingUpdate, { args: [{}] });
    });
    expect(fake.names().filter((n) => n === 'chargeBooking')).toHaveLength(1);
  });
});
