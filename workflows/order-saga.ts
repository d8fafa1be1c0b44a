import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { OrderSagaInput, OrderSagaResult } from './contracts/types.js';
import { runOrderSaga } from './order-saga.flow.js';

export { DEFAULT_PAYMENT_DEADLINE_SECONDS } from './order-saga.flow.js';

// Database steps are short: a dead worker's attempt times out and is retried elsewhere within seconds.
const steps = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
});

// Compensations must eventually succeed: unlimited retries, backoff capped at 30 s.
const compensations = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s' },
});

// A failed notification never undoes a paid order: a few tries, then the saga moves on.
const notifications = proxyActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '1s', maximumAttempts: 5 },
});

const payments = (deadlineSeconds: number) =>
  proxyActivities<Activities>({
    startToCloseTimeout: '10s',
    // The whole payment, retries included, must finish within the deadline or the saga compensates.
    scheduleToCloseTimeout: `${deadlineSeconds}s`,
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s' },
  });

/** reserve inventory → charge payment → confirm → notify; on failure or cancel, undo in reverse. */
export async function orderSaga(input: OrderSagaInput): Promise<OrderSagaResult> {
  return runOrderSaga(input, { steps, compensations, notifications, payments });
}
