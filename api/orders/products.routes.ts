import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { OrderQueries } from '../../activities/orders/order.queries.js';
import { ProductSchema } from './orders.schemas.js';

const listProductsRoute = createRoute({
  method: 'get',
  path: '/products',
  tags: ['products'],
  summary: 'Products with their current stock',
  responses: {
    200: {
      content: { 'application/json': { schema: z.array(ProductSchema) } },
      description: 'All products',
    },
  },
});

export function createProductRoutes({ queries }: { queries: OrderQueries }) {
  return new OpenAPIHono().openapi(listProductsRoute, async (c) =>
    c.json(await queries.listProducts(), 200),
  );
}
