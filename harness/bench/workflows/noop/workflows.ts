import {
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { OrderStatusAttribute } from '../../../../workflows/contracts/search-attributes.js';
import type {
  OrderSagaInput,
  OrderSagaResult,
  OrderStatus,
} from '../../../../workflows/orders/order.types.js';
import type { NoopActivities } from './activities.js';

export interface NoopSagaInput extends OrderSagaInput {
  /** Run the five steps as local activities (inside the workflow task) instead of activity tasks. */
  local?: boolean;
  /** Upsert the OrderStatus search attribute at each step, as orderSaga does (visibility writes). */
  searchAttributes?: boolean;
}

// The same timeouts and retry policy as orderSaga's database steps.
const options = {
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s' },
} as const;
const remote = proxyActivities<NoopActivities>(options);
const local = proxyLocalActivities<NoopActivities>(options);

/** orderSaga's shape with no-op steps: createOrder → reserve → charge → confirm → notify, in sequence. */
export async function noopSaga(input: NoopSagaInput): Promise<OrderSagaResult> {
  const { orderId, customerId } = input;
  const steps = input.local ? local : remote;
  const setStatus = (status: OrderStatus) => {
    if (input.searchAttributes)
      upsertSearchAttributes([{ key: OrderStatusAttribute, value: status }]);
  };
  const key = (name: string) => `${workflowInfo().workflowId}:${name}`;

  setStatus('PENDING');
  const { totalCents } = await steps.createOrder({ orderId, customerId, items: input.items });
  await steps.reserveInventory({ orderId });
  setStatus('RESERVED');
  const { chargeId } = await steps.chargePayment({ orderId, idempotencyKey: key('charge') });
  setStatus('PAID');
  await steps.confirmOrder({ orderId });
  setStatus('CONFIRMED');
  await steps.notifyCustomer({ orderId, customerId, totalCents, idempotencyKey: key('notify') });
  return { orderId, status: 'CONFIRMED', chargeId };
}
