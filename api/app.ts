import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { OrderCommands } from './order-commands.js';
import type { OrderQueries } from './order-queries.js';
import { createDocsRoutes } from './routes/docs.routes.js';
import { createOrderRoutes } from './routes/orders.routes.js';
import { createProductRoutes } from './routes/products.routes.js';

export interface AppDeps {
  orderCommands: OrderCommands;
  orderQueries: OrderQueries;
  logger?: Pick<Logger, 'error'>;
  paymentDeadlineSeconds?: number;
  waitTimeoutMs?: number;
}

/** The HTTP API: validates, then hands over to the sagas. No I/O happens until a request arrives. */
export function createApp({ orderCommands, orderQueries, logger, paymentDeadlineSeconds = 60, waitTimeoutMs = 30_000 }: AppDeps) {
  const app = new OpenAPIHono();
  app.route('/', createOrderRoutes({ commands: orderCommands, queries: orderQueries, paymentDeadlineSeconds, waitTimeoutMs }));
  app.route('/', createProductRoutes({ queries: orderQueries }));
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'durable-sagas', version: '0.1.0', description: 'Order and booking sagas as durable Temporal workflows.' },
  });
  app.route('/', createDocsRoutes('/openapi.json'));
  app.get('/', (c) => c.redirect('/docs'));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    // hono's own request errors (malformed JSON, wrong content type) are the caller's, not ours.
    if (error instanceof HTTPException && error.status < 500) {
      return c.json({ error: 'invalid request', issues: [{ field: '(body)', message: error.message }] }, error.status);
    }
    logger?.error({ err: error, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
