import {
  ApplicationFailure,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OrderActivities } from '../../activities/index.js';
import type { SagaActivities } from '../saga/activity-proxies.js';
import { cancelOrderUpdate, orderStatusQuery } from './order.messages.js';
import { CustomerIdAttribute, OrderStatusAttribute } from '../contracts/search-attributes.js';
import type {
  OrderSagaInput,
  OrderSagaResult,
  OrderSagaState,
  OrderStatus,
  SagaStepName,
} from './order.types.js';
import { failureOf, recordCompensationFailure } from '../saga/failures.js';
import { Saga } from '../saga/saga.js';
import { DEFAULT_PAYMENT_DEADLINE_SECONDS } from '../saga/step-options.js';
import { itemsText, money, troubleText, unitsOf, withSummary } from '../saga/step-summary.js';

/**
 * Gates the workflow commands added for the Web UI (memo upserts with the total and the outcome, the
 * status attribute kept current when a compensation fails for good): histories recorded before
 * them replay without them.
 */
export const ORDER_UI_METADATA_PATCH = 'order-ui-metadata';

class CancelRequested extends Error {}

/**
 * The order saga's logic, over the activity proxies it is given: `orderSaga` runs it on ordinary
 * activities; the benchmark also runs it on local activities to measure what they buy.
 */
export async function runOrderSaga(
  input: OrderSagaInput,
  { steps, compensations, notifications, payments: paymentsWithin }: SagaActivities<OrderActivities>,
): Promise<OrderSagaResult> {
  const { orderId, customerId, items } = input;
  const units = unitsOf(items);
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

  // The Web UI's "current details": where the saga is, in a few lines (a query, not a command).
  const showProgress = () => setCurrentDetails(orderProgress(state, units));
  const setStatus = (status: OrderStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: OrderStatusAttribute, value: status }]);
    showProgress();
  };
  const completed = (step: SagaStepName) => {
    state.completedSteps.push(step);
    showProgress();
  };
  const withUiMetadata = () => patched(ORDER_UI_METADATA_PATCH);
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

  const saga = new Saga({
    onCompensated: (name) => {
      state.compensations.push(name);
      showProgress();
    },
  });
  const chargeKey = Saga.idempotencyKey('charge');
  showProgress();
  try {
    const { totalCents } = await withSummary(
      steps.createOrder,
      `Create order ${orderId} for customer ${customerId}: ${itemsText(items)}`,
      { orderId, customerId, items },
    );
    state.totalCents = totalCents;
    if (withUiMetadata()) upsertMemo({ totalCents, total: money(totalCents) });
    completed('createOrder');
    checkpoint();

    saga.addCompensation('release-inventory', () =>
      withSummary(
        compensations.releaseInventory,
        `Release the ${units} reserved item(s) of order ${orderId} back to stock`,
        { orderId },
      ),
    );
    await withSummary(
      steps.reserveInventory,
      `Reserve ${units} item(s) for order ${orderId}: ${itemsText(items)}`,
      { orderId },
    );
    setStatus('RESERVED');
    completed('reserveInventory');
    checkpoint();

    saga.addCompensation('refund', (idempotencyKey) =>
      withSummary(
        compensations.refundPayment,
        state.chargeId
          ? `Refund charge ${state.chargeId} (${money(totalCents)}) of order ${orderId}`
          : `Refund or void any charge under key ${chargeKey} of order ${orderId}`,
        { orderId, idempotencyKey, chargeIdempotencyKey: chargeKey },
      ),
    );
    const { chargeId } = await withSummary(
      payments.chargePayment,
      `Charge ${money(totalCents)} to customer ${customerId} (key ${chargeKey})`,
      {
        orderId,
        customerId,
        amountCents: totalCents,
        cardToken: input.paymentToken,
        idempotencyKey: chargeKey,
      },
    );
    state.chargeId = chargeId;
    setStatus('PAID');
    completed('chargePayment');
    checkpoint();

    confirming = true;
    await withSummary(steps.confirmOrder, `Confirm order ${orderId} (charge ${chargeId})`, {
      orderId,
    });
    setStatus('CONFIRMED');
    completed('confirmOrder');
  } catch (error) {
    const cancelled = error instanceof CancelRequested;
    const failure = cancelled
      ? { type: 'OrderCancelled', message: 'cancelled by request' }
      : failureOf(error);
    state.failure = cancelled ? undefined : failure;
    compensating = true;
    showProgress();
    log.warn('order saga compensating', { orderId, reason: failure.message, type: failure.type });
    try {
      await saga.compensate();
    } catch (compensationFailure) {
      if (withUiMetadata()) recordCompensationFailure(setStatus, compensationFailure);
      throw compensationFailure;
    }
    const finalStatus = cancelled ? 'CANCELLED' : 'FAILED';
    await withSummary(
      compensations.closeOrder,
      `Mark order ${orderId} ${finalStatus}: ${cancelled ? failure.message : `${failure.type}, ${failure.message}`}`,
      { orderId, status: finalStatus, reason: failure.message },
    );
    setStatus(finalStatus);
    if (withUiMetadata()) {
      upsertMemo({
        outcome: {
          status: finalStatus,
          ...(!cancelled && { failure }),
          compensations: state.compensations,
        },
      });
    }
    if (cancelled) return { orderId, status: 'CANCELLED' };
    throw ApplicationFailure.nonRetryable(
      `order ${orderId} failed: ${failure.message}`,
      failure.type,
    );
  }

  if (withUiMetadata()) {
    upsertMemo({ outcome: { status: 'CONFIRMED', chargeId: state.chargeId } });
  }
  try {
    await withSummary(
      notifications.notifyCustomer,
      `Notify customer ${customerId} that order ${orderId} (${money(state.totalCents ?? 0)}) is confirmed`,
      {
        orderId,
        customerId,
        totalCents: state.totalCents ?? 0,
        idempotencyKey: Saga.idempotencyKey('notify'),
      },
    );
    state.notified = true;
    completed('notifyCustomer');
  } catch (error) {
    state.notified = false;
    showProgress();
    log.warn('customer notification failed; the order stays confirmed', {
      orderId,
      error: String(error),
    });
  }
  return { orderId, status: 'CONFIRMED', chargeId: state.chargeId };
}

/** The saga's progress as the Web UI's "current details" show it (Temporal markdown). */
function orderProgress(state: OrderSagaState, units: number): string {
  const facts = [`order ${state.orderId}`, `${units} item(s)`];
  if (state.totalCents !== undefined) facts.push(`total ${money(state.totalCents)}`);
  if (state.chargeId) facts.push(`charge ${state.chargeId}`);
  const lines = [
    `**${state.status}**: ${facts.join(', ')}`,
    `steps done: ${state.completedSteps.join(' → ') || 'none yet'}`,
  ];
  const trouble = troubleText(state);
  if (trouble) lines.push(trouble);
  return lines.join('\n\n');
}
