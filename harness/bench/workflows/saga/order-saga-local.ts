/**
 * Benchmark variant: the order saga's own logic (runOrderSaga) on *local* activities
 * (`proxyLocalActivities`, with the same timeouts and retry policies as orderSaga).
 *
 * What local activities change: a step runs inside the workflow task on the worker that holds the
 * workflow, so the server records one MarkerRecorded event per step instead of
 * ActivityTaskScheduled/Started/Completed, and no activity task goes through a task queue.
 * The Web UI then shows markers, not activities (no pending-activity view, attempt count or last
 * failure while a step retries); retries run on the same worker (backoff under `localRetryThreshold`
 * in memory, longer ones as workflow timers); an update such as cancelOrder is handled only when
 * the running workflow task ends; and a worker crash re-runs the workflow task, so the step runs
 * again (still at least once, like a normal activity).
 */
import { proxyLocalActivities } from '@temporalio/workflow';
import type { OrderActivities } from '../../../../activities/index.js';
import type { OrderSagaInput, OrderSagaResult } from '../../../../workflows/orders/order.types.js';
import { runOrderSaga } from '../../../../workflows/orders/order-saga.flow.js';
import { SAGA_STEP_OPTIONS } from '../../../../workflows/saga/step-options.js';

const options = SAGA_STEP_OPTIONS;
const steps = proxyLocalActivities<OrderActivities>(options.steps);
const compensations = proxyLocalActivities<OrderActivities>(options.compensations);
const notifications = proxyLocalActivities<OrderActivities>(options.notifications);
const payments = (deadlineSeconds: number) =>
  proxyLocalActivities<OrderActivities>(options.payments(deadlineSeconds));

export async function orderSagaLocal(input: OrderSagaInput): Promise<OrderSagaResult> {
  return runOrderSaga(input, { steps, compensations, notifications, payments });
}
