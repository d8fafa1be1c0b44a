import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  upsertMemo,
} from '@temporalio/workflow';
import { ErrorType } from '../contracts/errors.js';

const PAYMENT_ACTIVITIES = new Set(['chargePayment', 'chargeBooking']);

/** The typed reason a step failed, for the saga's record and its own failure. */
export function failureOf(error: unknown): { type: string; message: string } {
  if (error instanceof ActivityFailure) {
    // Out of time for payment: either the last attempt timed out, or a further retry would not fit.
    const outOfTime = error.cause instanceof TimeoutFailure || error.retryState === 'TIMEOUT';
    if (outOfTime && PAYMENT_ACTIVITIES.has(error.activityType)) {
      return {
        type: ErrorType.PaymentDeadlineExceeded,
        message: 'payment did not complete before the deadline',
      };
    }
    if (error.cause instanceof ApplicationFailure) {
      return { type: error.cause.type ?? 'ActivityFailed', message: error.cause.message };
    }
    return { type: 'ActivityFailed', message: error.cause?.message ?? error.message };
  }
  return { type: 'SagaFailed', message: error instanceof Error ? error.message : String(error) };
}

/**
 * A saga stuck half-undone (a compensation failed for good): its status attribute says FAILED, not
 * the last status reached on the way, and its memo says why.
 */
export function recordCompensationFailure(
  setStatus: (status: 'FAILED') => void,
  compensationFailure: unknown,
): void {
  setStatus('FAILED');
  const message =
    compensationFailure instanceof Error
      ? compensationFailure.message
      : String(compensationFailure);
  upsertMemo({
    outcome: { status: 'FAILED', failure: { type: ErrorType.CompensationFailed, message } },
  });
}
