import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { orderWorkflowId } from '../../workflows/contracts/names.js';
import type { OrderStatus } from '../../workflows/orders/order.types.js';
import { fingerprintOf } from '../http/fingerprint.js';
import type { OrderCommands } from './order.commands.js';
import type { OrderQueries } from '../../activities/orders/order.queries.js';
import { CancelBody, ErrorSchema, IdempotencyKeyHeader } from '../http/common.schemas.js';
import {
  OrderAcceptedSchema,
  OrderIdParam,
  OrderSchema,
  PlaceOrderBody,
  PlaceOrderQuery,
} from './orders.schemas.js';
import { validationHook } from '../http/validation.js';
import { json } from '../http/json.js';

export interface OrderRouteDeps {
  commands: OrderCommands;
  queries: OrderQueries;
  paymentDeadlineSeconds: number;
  waitTimeoutMs: number;
}

const placeOrderRoute = createRoute({
  method: 'post',
  path: '/orders',
  tags: ['orders'],
  summary: 'Place an order: starts an order saga (reserve → charge → confirm → notify)',
  request: {
    headers: IdempotencyKeyHeader,
    query: PlaceOrderQuery,
    body: { content: { 'application/json': { schema: PlaceOrderBody } }, required: true },
  },
  responses: {
    200: json(OrderSchema, 'With ?wait=true: the saga ended; the order in its final state'),
    202: json(
      OrderAcceptedSchema,
      'The saga runs (or, for a repeated key, already ran); poll the Location',
    ),
    400: json(ErrorSchema, 'Invalid request; nothing was written'),
    422: json(ErrorSchema, 'The Idempotency-Key was already used for a different request'),
  },
});

const getOrderRoute = createRoute({
  method: 'get',
  path: '/orders/{id}',
  tags: ['orders'],
  summary: 'An order and its status',
  request: { params: OrderIdParam },
  responses: { 200: json(OrderSchema, 'The order'), 404: json(ErrorSchema, 'No such order') },
});

const cancelOrderRoute = createRoute({
  method: 'post',
  path: '/orders/{id}/cancel',
  tags: ['orders'],
  summary: 'Cancel an order that is not yet confirmed; its saga undoes what it did',
  request: {
    params: OrderIdParam,
    body: { content: { 'application/json': { schema: CancelBody } }, required: false },
  },
  responses: {
    202: json(OrderAcceptedSchema, 'Cancellation accepted; compensation runs'),
    400: json(ErrorSchema, 'Invalid request'),
    404: json(ErrorSchema, 'No such order'),
    409: json(ErrorSchema, 'Too late: the order is confirmed or already ended'),
  },
});

/** The same body always gives the same fingerprint, whatever the key order of its JSON. */
function fingerprint(body: z.infer<typeof PlaceOrderBody>): string {
  return fingerprintOf({
    customerId: body.customerId,
    items: [...body.items]
      .sort((a, b) => a.sku.localeCompare(b.sku))
      .map((i) => [i.sku, i.quantity]),
    paymentToken: body.paymentToken,
  });
}

export function createOrderRoutes({
  commands,
  queries,
  paymentDeadlineSeconds,
  waitTimeoutMs,
}: OrderRouteDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  const orderView = async (orderId: string) => {
    const order = await queries.findOrder(orderId);
    return order ? { ...order, workflowId: orderWorkflowId(orderId) } : null;
  };
  const accepted = (orderId: string, status: OrderStatus = 'PENDING') => ({
    orderId,
    workflowId: orderWorkflowId(orderId),
    status,
  });

  app.openapi(placeOrderRoute, async (c) => {
    const orderId = c.req.valid('header')['idempotency-key'];
    const body = c.req.valid('json');
    // createOrder checks SKUs again (a saga trusts no caller); here for a 400 naming the item.
    const unknown = await queries.unknownSkus(body.items.map((i) => i.sku));
    if (unknown.length > 0) {
      const issues = body.items.flatMap((item, index) =>
        unknown.includes(item.sku)
          ? [{ field: `items.${index}.sku`, message: `unknown SKU "${item.sku}"` }]
          : [],
      );
      return c.json({ error: 'invalid request', issues }, 400);
    }
    const outcome = await commands.placeOrder(
      { orderId, ...body, paymentDeadlineSeconds },
      fingerprint(body),
    );
    if (outcome.kind === 'conflict') {
      return c.json(
        { error: `Idempotency-Key "${orderId}" was already used for a different request` },
        422,
      );
    }
    if (outcome.kind === 'duplicate') c.header('Idempotent-Replayed', 'true');
    c.header('Location', `/orders/${orderId}`);
    if (
      c.req.valid('query').wait === 'true' &&
      (await commands.waitForEnd(orderId, waitTimeoutMs))
    ) {
      const order = await orderView(orderId);
      const status = order ? order.status : await commands.sagaStatus(orderId);
      return c.json(
        order ?? { id: orderId, workflowId: orderWorkflowId(orderId), status: status ?? 'FAILED' },
        200,
      );
    }
    // A repeated key reports the order as it is now.
    const status =
      outcome.kind === 'duplicate'
        ? ((await queries.findOrder(orderId))?.status ?? 'PENDING')
        : 'PENDING';
    return c.json(accepted(orderId, status), 202);
  });

  app.openapi(getOrderRoute, async (c) => {
    const { id } = c.req.valid('param');
    const order = await orderView(id);
    if (order) return c.json(order, 200);
    // The saga may exist before its first step has written the order row, or have failed on it.
    const status = await commands.sagaStatus(id);
    if (status) return c.json({ id, workflowId: orderWorkflowId(id), status }, 200);
    return c.json({ error: `order "${id}" not found` }, 404);
  });

  app.openapi(cancelOrderRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json') ?? {};
    const outcome = await commands.cancelOrder(id, reason);
    if (outcome.kind === 'not-found') return c.json({ error: `order "${id}" not found` }, 404);
    if (outcome.kind === 'rejected')
      return c.json({ error: `cannot cancel order "${id}": ${outcome.reason}` }, 409);
    return c.json(accepted(id), 202);
  });

  return app;
}
