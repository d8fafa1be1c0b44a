import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  log,
  setHandler,
  upsertSearchAttributes,
  type ActivityInterfaceFor,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ErrorType } from './contracts/errors.js';
import { cancelOrderUpdate, orderStatusQuery } from './contracts/messages.js';
import { CustomerIdAttribute, OrderStatusAttribute } from './contracts/search-attributes.js';
import type { OrderSagaInput, OrderSagaResult, OrderSagaState, OrderStatus, SagaStepName } from './contracts/types.js';
import { Saga } from './saga.js';

export const DEFAULT_PAYMENT_DEADLINE_SECONDS = 60;

type Proxy = ActivityInterfaceFor<Activities>;

/** What ordinary and local activities share: timeouts and retry policy. */
type StepOptions = Pick<ActivityOptions, 'startToCloseTimeout' | 'scheduleToCloseTimeout' | 'retry'>;

/**
 * Timeouts and retry policies per kind of step, whichever kind of activity runs them (the
 * benchmark's local-activity variant must use the very same ones to be comparable).
 */
export const ORDER_SAGA_STEP_OPTIONS = {
  // Database steps are short: a dead worker's attempt times out and is retried elsewhere within seconds.
  steps: {
    startToCloseTimeout: '5s',
    retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
  },
  // Compensations must eventually succeed: unlimited retries, backoff capped at 30 s.
  compensations: {
    startToCloseTimeout: '10s',
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
  },
  // A failed notification never undoes a paid order: a few tries, then the saga moves on.
  notifications: {
    startToCloseTimeout: '5s',
    retry: { initialInterval: '1s', maximumAttempts: 5 },
  },
  payments: (deadlineSeconds: number): StepOptions => ({
    startToCloseTimeout: '10s',
    // The whole payment, retries included, must finish within the deadline or the saga compensates.
    scheduleToCloseTimeout: `${deadlineSeconds}s`,
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
  }),
} satisfies Record<'steps' | 'compensations' | 'notifications', StepOptions> & {
  payments: (deadlineSeconds: number) => StepOptions;
};

/** The activity proxies the saga runs on, each with its own timeouts and retry policy. */
export interface OrderSagaActivities {
  steps: Proxy;
  compensations: Proxy;
  notifications: Proxy;
  payments: (deadlineSeconds: number) => Proxy;
}

class CancelRequested extends Error {}

/** The typed reason a step failed, for the order record and the saga's own failure. */
function failureOf(error: unknown): { type: string; message: string } {
  if (error instanceof ActivityFailure) {
    // Out of time for payment: either the last attempt timed out, or a further retry would not fit.
    const outOfTime = error.cause instanceof TimeoutFailure || error.retryState === 'TIMEOUT';
    if (outOfTime && error.activityType === 'chargePayment') {
      return { type: ErrorType.PaymentDeadlineExceeded, message: 'payment did not complete before the deadline' };
    }
    if (error.cause instanceof ApplicationFailure) {
      return { type: error.cause.type ?? 'ActivityFailed', message: error.cause.message };
    }
    return { type: 'ActivityFailed', message: error.cause?.message ?? error.message };
  }
  return { type: 'SagaFailed', message: error instanceof Error ? error.message : String(error) };
}

/**
 * The order saga's logic, over the activity proxies it is given: `orderSaga` runs it on ordinary
 * activities; the benchmark also runs it on local activities to measure what they buy.
 */
export async function runOrderSaga(
  input: OrderSagaInput,
  { steps, compensations, notifications, payments: paymentsWithin }: OrderSagaActivities,
): Promise<OrderSagaResult> {
  const { orderId, customerId } = input;
  const payments = paymentsWithin(input.paymentDeadlineSeconds ?? DEFAULT_PAYMENT_DEADLINE_SECONDS);
  const state: OrderSagaState = { orderId, status: 'PENDING', completedSteps: [], compensations: [], cancelRequested: false };
  let confirming = false;
  let compensating = false;

  const setStatus = (status: OrderStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: OrderStatusAttribute, value: status }]);
  };
  const completed = (step: SagaStepName) => state.completedSteps.push(step);
  // Cancellation takes effect between steps: an in-flight step finishes first, so its compensation
  // never races it.
  const checkpoint = () => {
    if (state.cancelRequested) throw new CancelRequested();
  };

  setHandler(orderStatusQuery, () => state);
  setHandler(
    cancelOrderUpdate,
    (request) => {
      state.cancelRequested = true;
      log.info('cancel requested', { orderId, reason: request.reason });
      return { accepted: true } as const;
    },
    {
      validator: (_request) => {
        if (confirming || state.status === 'CONFIRMED') throw new Error(`order ${orderId} is already confirmed`);
        if (compensating) throw new Error(`order ${orderId} has failed and is being undone`);
        if (state.status === 'CANCELLED' || state.status === 'FAILED') throw new Error(`order ${orderId} is already ${state.status.toLowerCase()}`);
      },
    },
  );
  upsertSearchAttributes([
    { key: OrderStatusAttribute, value: state.status },
    { key: CustomerIdAttribute, value: customerId },
  ]);

  const saga = new Saga({ onCompensated: (name) => state.compensations.push(name) });
  const chargeKey = Saga.idempotencyKey('charge');
  try {
    const { totalCents } = await steps.createOrder({ orderId, customerId, items: input.items });
    state.totalCents = totalCents;
    completed('createOrder');
    checkpoint();

    saga.addCompensation('release-inventory', () => compensations.releaseInventory({ orderId }));
    await steps.reserveInventory({ orderId });
    setStatus('RESERVED');
    completed('reserveInventory');
    checkpoint();

    saga.addCompensation('refund', (idempotencyKey) =>
      compensations.refundPayment({ orderId, idempotencyKey, chargeIdempotencyKey: chargeKey }),
    );
    const { chargeId } = await payments.chargePayment({
      orderId,
      customerId,
      amountCents: totalCents,
      cardToken: input.paymentToken,
      idempotencyKey: chargeKey,
    });
    state.chargeId = chargeId;
    setStatus('PAID');
    completed('chargePayment');
    checkpoint();

    confirming = true;
    await steps.confirmOrder({ orderId });
    setStatus('CONFIRMED');
    completed('confirmOrder');
  } catch (error) {
    const cancelled = error instanceof CancelRequested;
    const failure = cancelled ? { type: 'OrderCancelled', message: 'cancelled by request' } : failureOf(error);
    state.failure = cancelled ? undefined : failure;
    compensating = true;
    log.warn('order saga compensating', { orderId, reason: failure.message, type: failure.type });
    await saga.compensate();
    const finalStatus = cancelled ? 'CANCELLED' : 'FAILED';
    await compensations.closeOrder({ orderId, status: finalStatus, reason: failure.message });
    setStatus(finalStatus);
    if (cancelled) return { orderId, status: 'CANCELLED' };
    throw ApplicationFailure.nonRetryable(`order ${orderId} failed: ${failure.message}`, failure.type);
  }

  try {
    await notifications.notifyCustomer({
      orderId,
      customerId,
      totalCents: state.totalCents ?? 0,
      idempotencyKey: Saga.idempotencyKey('notify'),
    });
    state.notified = true;
    completed('notifyCustomer');
  } catch (error) {
    state.notified = false;
    log.warn('customer notification failed; the order stays confirmed', { orderId, error: String(error) });
  }
  return { orderId, status: 'CONFIRMED', chargeId: state.chargeId };
}
