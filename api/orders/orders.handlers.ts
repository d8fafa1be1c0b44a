import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { orderWorkflowId } from '../../workflows/contracts/names.js';
import type { OrderStatus } from '../../workflows/orders/order.types.js';
import type { OrderQueries } from '../../activities/orders/order.queries.js';
import type { OrderCommands } from './order.commands.js';
import type { PlaceOrderBody } from './orders.schemas.js';
import { fingerprintOf } from '../http/fingerprint.js';
import {
  invalidRequest,
  keyAlreadyUsed,
  notFound,
  type RequestIssue,
} from '../http/error-responses.js';

/** What the order handlers read and command; the routes' deps supply it. */
export interface OrderHandlerDeps {
  commands: OrderCommands;
  queries: OrderQueries;
}

/** What placing an order needs besides the request: the saga's payment deadline, the wait limit. */
export interface PlaceOrderSettings {
  paymentDeadlineSeconds: number;
  waitTimeoutMs: number;
}

type PlaceOrder = z.infer<typeof PlaceOrderBody>;

/** The same body always gives the same fingerprint, whatever the key order of its JSON. */
function fingerprint(body: PlaceOrder): string {
  return fingerprintOf({
    customerId: body.customerId,
    items: [...body.items]
      .sort((a, b) => a.sku.localeCompare(b.sku))
      .map((i) => [i.sku, i.quantity]),
    paymentToken: body.paymentToken,
  });
}

const accepted = (orderId: string, status: OrderStatus = 'PENDING') => ({
  orderId,
  workflowId: orderWorkflowId(orderId),
  status,
});

const orderView = async (queries: OrderQueries, orderId: string) => {
  const order = await queries.findOrder(orderId);
  return order ? { ...order, workflowId: orderWorkflowId(orderId) } : null;
};

/**
 * `POST /orders`: starts the saga (a repeated key finds it) and answers 202, or with `wait`
 * 200 once the saga has ended.
 */
export async function placeOrder(
  c: Context,
  deps: OrderHandlerDeps & PlaceOrderSettings,
  orderId: string,
  body: PlaceOrder,
  wait: boolean,
) {
  const { commands, queries, paymentDeadlineSeconds, waitTimeoutMs } = deps;
  // createOrder checks SKUs again (a saga trusts no caller); here for a 400 naming the item.
  const unknown = await queries.unknownSkus(body.items.map((i) => i.sku));
  if (unknown.length > 0) return invalidRequest(c, unknownSkuIssues(body, unknown));
  const outcome = await commands.placeOrder(
    { orderId, ...body, paymentDeadlineSeconds },
    fingerprint(body),
  );
  if (outcome.kind === 'conflict') return keyAlreadyUsed(c, orderId);
  if (outcome.kind === 'duplicate') c.header('Idempotent-Replayed', 'true');
  c.header('Location', `/orders/${orderId}`);
  if (wait && (await commands.waitForEnd(orderId, waitTimeoutMs))) {
    return c.json(await endedOrder(deps, orderId), 200);
  }
  // A repeated key reports the order as it is now.
  const status =
    outcome.kind === 'duplicate'
      ? ((await queries.findOrder(orderId))?.status ?? 'PENDING')
      : 'PENDING';
  return c.json(accepted(orderId, status), 202);
}

function unknownSkuIssues(body: PlaceOrder, unknown: string[]): RequestIssue[] {
  return body.items.flatMap((item, index) =>
    unknown.includes(item.sku)
      ? [{ field: `items.${index}.sku`, message: `unknown SKU "${item.sku}"` }]
      : [],
  );
}

/** An ended saga's order row; a saga that failed before writing one shows how it ended. */
async function endedOrder({ commands, queries }: OrderHandlerDeps, orderId: string) {
  const order = await orderView(queries, orderId);
  if (order) return order;
  const status = await commands.sagaStatus(orderId);
  return { id: orderId, workflowId: orderWorkflowId(orderId), status: status ?? 'FAILED' };
}

/** `GET /orders/{id}`: the order row, or for a saga without one, what its execution shows. */
export async function getOrder(c: Context, { commands, queries }: OrderHandlerDeps, id: string) {
  const order = await orderView(queries, id);
  if (order) return c.json(order, 200);
  // The saga may exist before its first step has written the order row, or have failed on it.
  const status = await commands.sagaStatus(id);
  if (status) return c.json({ id, workflowId: orderWorkflowId(id), status }, 200);
  return notFound(c, 'order', id);
}

/** `POST /orders/{id}/cancel`: 202 once the saga accepted (it compensates), or why not. */
export async function cancelOrder(
  c: Context,
  { commands }: OrderHandlerDeps,
  id: string,
  reason: string | undefined,
) {
  const outcome = await commands.cancelOrder(id, reason);
  if (outcome.kind === 'not-found') return notFound(c, 'order', id);
  if (outcome.kind === 'rejected')
    return c.json({ error: `cannot cancel order "${id}": ${outcome.reason}` }, 409);
  return c.json(accepted(id), 202);
}
