import { ApplicationFailure, log, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { SagaActivities } from './activity-proxies.js';
import { cancelOrderUpdate, orderStatusQuery } from './contracts/messages.js';
import { CustomerIdAttribute, OrderStatusAttribute } from './contracts/search-attributes.js';
import type {
  OrderSagaInput,
  OrderSagaResult,
  OrderSagaState,
  OrderStatus,
  SagaStepName,
} from './contracts/types.js';
import { failureOf } from './failures.js';
import { Saga } from './saga.js';
import { DEFAULT_PAYMENT_DEADLINE_SECONDS } from './step-options.js';

class CancelRequested extends Error {}

/**
 * The order saga's logic, over the activity proxies it is given: `orderSaga` runs it on ordinary
 * activities; the benchmark also runs it on local activities to measure what they buy.
 */
export async function runOrderSaga(
  input: OrderSagaInput,
  { steps, compensations, notifications, payments: paymentsWithin }: SagaActivities,
): Promise<OrderSagaResult> {
  const { orderId, customerId } = input;
  const payments = paymentsWithin(input.paymentDeadlineSeconds ?? DEFAULT_PAYMENT_DEADLINE_SECONDS);
  const state: OrderSagaState = {
    orderId,
    status: 'PENDING',
    completedSteps: [],
    compensations: [],
    cancelRequested: false,
  };
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
        if (confirming || state.status === 'CONFIRMED')
          throw new Error(`order ${orderId} is already confirmed`);
        if (compensating) throw new Error(`order ${orderId} has failed and is being undone`);
        if (state.status === 'CANCELLED' || state.status === 'FAILED')
          throw new Error(`order ${orderId} is already ${state.status.toLowerCase()}`);
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
    const failure = cancelled
      ? { type: 'OrderCancelled', message: 'cancelled by request' }
      : failureOf(error);
    state.failure = cancelled ? undefined : failure;
    compensating = true;
    log.warn('order saga compensating', { orderId, reason: failure.message, type: failure.type });
    await saga.compensate();
    const finalStatus = cancelled ? 'CANCELLED' : 'FAILED';
    await compensations.closeOrder({ orderId, status: finalStatus, reason: failure.message });
    setStatus(finalStatus);
    if (cancelled) return { orderId, status: 'CANCELLED' };
    throw ApplicationFailure.nonRetryable(
      `order ${orderId} failed: ${failure.message}`,
      failure.type,
    );
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
    log.warn('customer notification failed; the order stays confirmed', {
      orderId,
      error: String(error),
    });
  }
  return { orderId, status: 'CONFIRMED', chargeId: state.chargeId };
}
