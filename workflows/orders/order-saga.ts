import type { OrderActivities } from '../../activities/index.js';
import { sagaActivityProxies } from '../saga/activity-proxies.js';
import type { OrderSagaInput, OrderSagaResult } from './order.types.js';
import { runOrderSaga } from './order-saga.flow.js';

const activities = sagaActivityProxies<OrderActivities>();

/** reserve inventory → charge payment → confirm → notify; on failure or cancel, undo in reverse. */
export async function orderSaga(input: OrderSagaInput): Promise<OrderSagaResult> {
  return runOrderSaga(input, activities);
}
