// Apart from order-saga.ts only so the bench can run it on local activities (order-saga-local.ts).
import {
  ApplicationFailure,
  log,
  upsertSearchAttributes,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { OrderActivities } from '../../activities/index.js';
import { money } from '../contracts/money.js';
import { DEFAULT_PAYMENT_DEADLINE_SECONDS } from '../contracts/payment-deadline.js';
import { CustomerIdAttribute, OrderStatusAttribute } from '../contracts/search-attributes.js';
import type { SagaActivities } from '../saga/activity-proxies.js';
import { failureOf } from '../saga/failures.js';
import { Saga } from '../saga/saga.js';
import { SagaRun } from '../saga/saga-run.js';
import { withSummary } from '../saga/step-summary.js';
import { itemsText, unitsOf } from './order.description.js';
import { registerOrderHandlers } from './order.handlers.js';
import { initialOrderState, orderProgress, type OrderState } from './order.state.js';
import type { OrderSagaInput, OrderSagaResult, OrderStatus, SagaStepName } from './order.types.js';

/** Gates the workflow commands added for the Web UI (see SagaRunOptions.uiMetadataPatch). */
export const ORDER_UI_METADATA_PATCH = 'order-ui-metadata';

class CancelRequested extends Error {}

/** What each part of the flow works on. */
interface OrderFlow {
  input: OrderSagaInput;
  units: number;
  order: OrderState;
  run: SagaRun<OrderStatus>;
  activities: SagaActivities<OrderActivities>;
  payments: ActivityInterfaceFor<OrderActivities>;
}

/**
 * The order saga's logic, over the activity proxies it is given: `orderSaga` runs it on ordinary
 * activities; the benchmark also runs it on local activities to measure what they buy.
 */
export async function runOrderSaga(
  input: OrderSagaInput,
  activities: SagaActivities<OrderActivities>,
): Promise<OrderSagaResult> {
  const { orderId, customerId } = input;
  const units = unitsOf(input.items);
  const deadlineSeconds = input.paymentDeadlineSeconds ?? DEFAULT_PAYMENT_DEADLINE_SECONDS;
  const payments = activities.payments(deadlineSeconds);
  const order = initialOrderState(orderId);
  registerOrderHandlers(order);
  upsertSearchAttributes([
    { key: OrderStatusAttribute, value: order.view.status },
    { key: CustomerIdAttribute, value: customerId },
  ]);
  const run = new SagaRun<OrderStatus>({
    state: order.view,
    statusAttribute: OrderStatusAttribute,
    progress: () => orderProgress(order.view, units),
    uiMetadataPatch: ORDER_UI_METADATA_PATCH,
  });
  run.showProgress();
  const flow: OrderFlow = { input, units, order, run, activities, payments };

  try {
    await placeOrder(flow);
  } catch (error) {
    return undoOrder(flow, error);
  }
  run.upsertUiMemo({ outcome: { status: 'CONFIRMED', chargeId: order.view.chargeId } });
  await notifyCustomer(flow);
  return { orderId, status: 'CONFIRMED', chargeId: order.view.chargeId };
}

/** create → reserve → charge → confirm, each compensation registered before its step. */
async function placeOrder(flow: OrderFlow): Promise<void> {
  const { input, units, order, run, activities, payments } = flow;
  const { orderId, customerId, items } = input;
  const { steps, compensations } = activities;
  const { totalCents } = await withSummary(
    steps.createOrder,
    `Create order ${orderId} for customer ${customerId}: ${itemsText(items)}`,
    { orderId, customerId, items },
  );
  order.view.totalCents = totalCents;
  run.upsertUiMemo({ totalCents, total: money(totalCents) });
  completed(flow, 'createOrder');
  checkpoint(flow);

  run.addCompensation('release-inventory', () =>
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
  run.setStatus('RESERVED');
  completed(flow, 'reserveInventory');
  checkpoint(flow);

  const chargeKey = run.chargeKey;
  run.addCompensation('refund', (idempotencyKey) =>
    withSummary(
      compensations.refundPayment,
      order.view.chargeId
        ? `Refund charge ${order.view.chargeId} (${money(totalCents)}) of order ${orderId}`
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
  order.view.chargeId = chargeId;
  run.setStatus('PAID');
  completed(flow, 'chargePayment');
  checkpoint(flow);

  order.confirming = true;
  await withSummary(steps.confirmOrder, `Confirm order ${orderId} (charge ${chargeId})`, {
    orderId,
  });
  run.setStatus('CONFIRMED');
  completed(flow, 'confirmOrder');
}

function completed({ order, run }: OrderFlow, step: SagaStepName): void {
  order.view.completedSteps.push(step);
  run.showProgress();
}

// Cancellation takes effect between steps: an in-flight step finishes first, so its compensation
// never races it.
function checkpoint({ order }: OrderFlow): void {
  if (order.view.cancelRequested) throw new CancelRequested();
}

/** Undoes what was done (refund, then stock), closes the order; a failure then fails the saga. */
async function undoOrder(flow: OrderFlow, error: unknown): Promise<OrderSagaResult> {
  const { orderId } = flow.input;
  const { order, run } = flow;
  const cancelled = error instanceof CancelRequested;
  const failure = cancelled
    ? { type: 'OrderCancelled', message: 'cancelled by request' }
    : failureOf(error);
  order.view.failure = cancelled ? undefined : failure;
  order.compensating = true;
  run.showProgress();
  log.warn('order saga compensating', { orderId, reason: failure.message, type: failure.type });
  await run.compensate();
  const finalStatus = cancelled ? 'CANCELLED' : 'FAILED';
  await withSummary(
    flow.activities.compensations.closeOrder,
    `Mark order ${orderId} ${finalStatus}: ${cancelled ? failure.message : `${failure.type}, ${failure.message}`}`,
    { orderId, status: finalStatus, reason: failure.message },
  );
  run.setStatus(finalStatus);
  run.upsertUiMemo({
    outcome: {
      status: finalStatus,
      ...(!cancelled && { failure }),
      compensations: order.view.compensations,
    },
  });
  if (cancelled) return { orderId, status: 'CANCELLED' };
  throw ApplicationFailure.nonRetryable(
    `order ${orderId} failed: ${failure.message}`,
    failure.type,
  );
}

async function notifyCustomer(flow: OrderFlow): Promise<void> {
  const { input, order, run, activities } = flow;
  const { orderId, customerId } = input;
  const totalCents = order.view.totalCents ?? 0;
  const notified = await run.notifyCustomer(
    () =>
      withSummary(
        activities.notifications.notifyCustomer,
        `Notify customer ${customerId} that order ${orderId} (${money(totalCents)}) is confirmed`,
        { orderId, customerId, totalCents, idempotencyKey: Saga.idempotencyKey('notify') },
      ),
    'order',
    { orderId },
  );
  if (notified) completed(flow, 'notifyCustomer');
}
