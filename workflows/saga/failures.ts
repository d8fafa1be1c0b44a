import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
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
