import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { OrderSagaInput, OrderSagaResult } from './contracts/types.js';
import { ORDER_SAGA_STEP_OPTIONS, runOrderSaga } from './order-saga.flow.js';

export { DEFAULT_PAYMENT_DEADLINE_SECONDS } from './order-saga.flow.js';

const options = ORDER_SAGA_STEP_OPTIONS;
const steps = proxyActivities<Activities>(options.steps);
const compensations = proxyActivities<Activities>(options.compensations);
const notifications = proxyActivities<Activities>(options.notifications);
const payments = (deadlineSeconds: number) => proxyActivities<Activities>(options.payments(deadlineSeconds));

/** reserve inventory → charge payment → confirm → notify; on failure or cancel, undo in reverse. */
export async function orderSaga(input: OrderSagaInput): Promise<OrderSagaResult> {
  return runOrderSaga(input, { steps, compensations, notifications, payments });
}
