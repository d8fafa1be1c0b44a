import { chargeIdempotencyKey } from '../contracts/idempotency-keys.js';
import { orderWorkflowId } from '../contracts/names.js';
import { DEFAULT_PAYMENT_DEADLINE_SECONDS } from '../contracts/payment-deadline.js';
import type { SagaDescription } from '../contracts/saga-description.js';
import type { OrderItemInput, OrderSagaInput } from './order.types.js';

export const unitsOf = (items: OrderItemInput[]): number =>
  items.reduce((sum, item) => sum + item.quantity, 0);

/** `2 × SKU-COFFEE, 1 × SKU-MUG`, the first few lines only, so a summary stays one short line. */
export function itemsText(items: OrderItemInput[], shown = 3): string {
  const listed = items.slice(0, shown).map((item) => `${item.quantity} × ${item.sku}`);
  if (items.length > shown) listed.push(`${items.length - shown} more SKU(s)`);
  return listed.join(', ');
}

/** The order saga as the Web UI introduces it (the API sets this when it starts the saga). */
export function describeOrder(input: OrderSagaInput): SagaDescription {
  const { orderId, customerId, items } = input;
  const units = unitsOf(items);
  const summary = `Order ${orderId}: ${units} item(s) (${itemsText(items)}) for customer ${customerId}`;
  const deadline = input.paymentDeadlineSeconds ?? DEFAULT_PAYMENT_DEADLINE_SECONDS;
  return {
    staticSummary: summary,
    staticDetails: [
      `**Order** \`${orderId}\` (the Idempotency-Key) for customer \`${customerId}\``,
      `**Items**: ${items.map((item) => `${item.quantity} × \`${item.sku}\``).join(', ')}`,
      `**Payment**: charge key \`${chargeIdempotencyKey(orderWorkflowId(orderId))}\`, deadline ${deadline} s; on failure or cancel: refundPayment, then releaseInventory`,
    ].join('\n\n'),
    memo: { summary, customerId, items, units },
  };
}
