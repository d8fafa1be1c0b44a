import { sagaActivities } from '../saga/activity-proxies.js';
import type { OrderSagaInput, OrderSagaResult } from './order.types.js';
import { runOrderSaga } from './order-saga.flow.js';

/** reserve inventory → charge payment → confirm → notify; on failure or cancel, undo in reverse. */
export async function orderSaga(input: OrderSagaInput): Promise<OrderSagaResult> {
  return runOrderSaga(input, sagaActivities);
}
