import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { CancelBody, ErrorSchema, IdempotencyKeyHeader } from '../http/common.schemas.js';
import {
  OrderAcceptedSchema,
  OrderIdParam,
  OrderSchema,
  PlaceOrderBody,
  PlaceOrderQuery,
} from './orders.schemas.js';
import {
  cancelOrder,
  getOrder,
  placeOrder,
  type OrderHandlerDeps,
  type PlaceOrderSettings,
} from './orders.handlers.js';
import { validationHook } from '../http/validation.js';
import { json } from '../http/json.js';

export type OrderRouteDeps = OrderHandlerDeps & PlaceOrderSettings;

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

/** Place, read and cancel orders; each route validates, then hands over to its handler. */
export function createOrderRoutes(deps: OrderRouteDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.openapi(placeOrderRoute, (c) =>
    placeOrder(
      c,
      deps,
      c.req.valid('header')['idempotency-key'],
      c.req.valid('json'),
      c.req.valid('query').wait === 'true',
    ),
  );
  app.openapi(getOrderRoute, (c) => getOrder(c, deps, c.req.valid('param').id));
  app.openapi(cancelOrderRoute, (c) =>
    cancelOrder(c, deps, c.req.valid('param').id, (c.req.valid('json') ?? {}).reason),
  );
  return app;
}
