import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { CustomerIdParam, LoyaltySchema, SagaViewSchema } from './views.schemas.js';
import { ErrorSchema } from '../http/common.schemas.js';
import { OrderIdParam } from '../orders/orders.schemas.js';
import { validationHook } from '../http/validation.js';
import type { ViewQueries } from '../../activities/projections/projection.queries.js';
import { json } from '../http/json.js';

const viewRoute = (kind: 'orders' | 'bookings') =>
  createRoute({
    method: 'get',
    path: `/views/${kind}/{id}`,
    tags: ['read models'],
    summary: `The order-view read model of one ${kind.slice(0, -1)} (built from Kafka; lags the saga slightly)`,
    request: { params: OrderIdParam },
    responses: {
      200: json(SagaViewSchema, 'Its latest status and what its events said'),
      400: json(ErrorSchema, 'Invalid id'),
      404: json(ErrorSchema, 'The view has not seen it (yet)'),
    },
  });

const loyaltyRoute = createRoute({
  method: 'get',
  path: '/views/loyalty/{customerId}',
  tags: ['read models'],
  summary: "A customer's loyalty points (built from Kafka by the loyalty consumer)",
  request: { params: CustomerIdParam },
  responses: {
    200: json(LoyaltySchema, 'Points and the orders and bookings that earned them (0 when none)'),
    400: json(ErrorSchema, 'Invalid customer id'),
  },
});

export function createViewRoutes({ queries }: { queries: ViewQueries }) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  for (const [route, kind] of [
    [viewRoute('orders'), 'order'],
    [viewRoute('bookings'), 'booking'],
  ] as const) {
    app.openapi(route, async (c) => {
      const { id } = c.req.valid('param');
      const view = await queries.findView(kind, id);
      if (!view) return c.json({ error: `the order view has no ${kind} "${id}" (yet)` }, 404);
      return c.json(view, 200);
    });
  }
  app.openapi(loyaltyRoute, async (c) =>
    c.json(await queries.findLoyalty(c.req.valid('param').customerId), 200),
  );
  return app;
}
