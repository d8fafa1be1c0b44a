import { proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { OrderActivities } from '../../../activities/index.js';
import {
  CustomerIdAttribute,
  OrderStatusAttribute,
} from '../../../workflows/contracts/search-attributes.js';
import type { OrderSagaInput, OrderSagaResult } from '../../../workflows/orders/order.types.js';

/**
 * Test-only: an `orderSaga` that starts like the real one but swaps its first two steps (reserves
 * before it creates the order). Replaying a recorded history against it must report a
 * DeterminismViolationError; that is what proves the replay tests can fail.
 */

const steps = proxyActivities<OrderActivities>({ startToCloseTimeout: '5s' });

export async function orderSaga(input: OrderSagaInput): Promise<OrderSagaResult> {
  const { orderId, customerId } = input;
  upsertSearchAttributes([
    { key: OrderStatusAttribute, value: 'PENDING' },
    { key: CustomerIdAttribute, value: customerId },
  ]);
  await steps.reserveInventory({ orderId });
  await steps.createOrder({ orderId, customerId, items: input.items });
  return { orderId, status: 'CONFIRMED' };
}
