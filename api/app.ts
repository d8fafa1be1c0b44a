import { OpenAPIHono } from '@hono/zod-openapi';
import type { Tracer } from '@opentelemetry/api';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { ConsistencyReport } from '../activities/ops/consistency.check.js';
import { httpTracing } from './http/http-tracing.middleware.js';
import type { OrderCommands } from './orders/order.commands.js';
import type { OrderQueries } from '../activities/orders/order.queries.js';
import { createAdminRoutes } from './ops/admin.routes.js';
import { createBookingRoutes, type BookingRouteDeps } from './bookings/bookings.routes.js';
import { createDocsRoutes } from './http/docs.routes.js';
import type { EventLogQueries } from '../activities/outbox/event-log.queries.js';
import { createEventLogRoutes } from './event-log/event-log.routes.js';
import { createEventRoutes } from './events/events.routes.js';
import { createHealthRoutes, type HealthDeps } from './ops/health.routes.js';
import { httpMetrics } from './ops/metrics/http-metrics.middleware.js';
import { createMetricsRoutes, type MetricsDeps } from './ops/metrics.routes.js';
import { createOrderRoutes } from './orders/orders.routes.js';
import { createProductRoutes } from './orders/products.routes.js';
import { createViewRoutes } from './projections/views.routes.js';
import { DEFAULT_PAYMENT_DEADLINE_SECONDS } from '../workflows/contracts/payment-deadline.js';
import type { ViewQueries } from '../activities/projections/projection.queries.js';

export interface AppDeps {
  orderCommands: OrderCommands;
  orderQueries: OrderQueries;
  logger?: Pick<Logger, 'error'>;
  paymentDeadlineSeconds?: number;
  waitTimeoutMs?: number;
  /** Ticketed events and booking sagas; without them those routes are absent. */
  bookings?: BookingRouteDeps;
  checkConsistency?: () => Promise<ConsistencyReport>;
  /** The event log (`GET /event-log`) and outbox status; without it those routes are absent. */
  eventLog?: EventLogQueries;
  /** The consumers' read models; without them those routes are absent. */
  views?: ViewQueries;
  /** Liveness and readiness checks; without them those routes are absent. */
  health?: HealthDeps;
  /** A SERVER span per request; without it requests are not traced. */
  tracer?: Tracer;
  /** `GET /metrics` and the HTTP metrics; without it neither exists. */
  metrics?: MetricsDeps;
}

/** The HTTP API: validates, then hands over to the sagas. No I/O happens until a request arrives. */
export function createApp({
  orderCommands,
  orderQueries,
  logger,
  paymentDeadlineSeconds = DEFAULT_PAYMENT_DEADLINE_SECONDS,
  waitTimeoutMs = 30_000,
  bookings,
  checkConsistency,
  eventLog,
  views,
  health,
  tracer,
  metrics,
}: AppDeps) {
  const app = new OpenAPIHono();
  // First, so every other middleware and handler runs inside the request's span.
  if (tracer) app.use('*', httpTracing(tracer));
  // Before the routes: middleware registered after a route never sees its requests.
  if (metrics) app.use('*', httpMetrics(metrics.registry));
  app.route(
    '/',
    createOrderRoutes({
      commands: orderCommands,
      queries: orderQueries,
      paymentDeadlineSeconds,
      waitTimeoutMs,
    }),
  );
  app.route('/', createProductRoutes({ queries: orderQueries }));
  if (bookings) {
    app.route(
      '/',
      createEventRoutes({ commands: bookings.eventCommands, queries: bookings.queries }),
    );
    app.route('/', createBookingRoutes(bookings));
  }
  if (checkConsistency) app.route('/', createAdminRoutes({ checkConsistency }));
  if (eventLog) app.route('/', createEventLogRoutes({ queries: eventLog }));
  if (views) app.route('/', createViewRoutes({ queries: views }));
  if (health) app.route('/', createHealthRoutes(health));
  if (metrics) app.route('/', createMetricsRoutes(metrics));
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'durable-sagas',
      version: '0.1.0',
      description: 'Order and booking sagas as durable Temporal workflows.',
    },
  });
  app.route('/', createDocsRoutes('/openapi.json'));
  app.get('/', (c) => c.redirect('/docs'));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    // hono's own request errors (malformed JSON, wrong content type) are the caller's, not ours.
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(
        { error: 'invalid request', issues: [{ field: '(body)', message: error.message }] },
        error.status,
      );
    }
    logger?.error({ err: error, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
