import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { METHOD_NAME_ALL } from 'hono/router';
import { Counter, Histogram, type Registry } from 'prom-client';

const LABELS = ['method', 'route', 'status'] as const;

/** Up to 30 s: `POST /orders` may wait that long for the saga's outcome (ORDER_WAIT_TIMEOUT_MS). */
const BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The label of requests no route matched: their raw paths would make a series per URL probed. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts and times every request by method, matched route pattern (`/orders/:id`, never the raw
 * path, so the number of series stays bounded) and status. Register it before the routes.
 */
export function httpMetrics(registry: Registry): MiddlewareHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency, until the response is ready to be sent',
    labelNames: LABELS,
    buckets: BUCKETS_SECONDS,
    registers: [registry],
  });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered',
    labelNames: LABELS,
    registers: [registry],
  });
  return async function httpMetricsMiddleware(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      // hono's compose turns a handler's error into the onError response before it gets here.
      const labels = {
        method: c.req.method,
        route: respondingRoute(c),
        status: String(c.res.status),
      };
      duration.observe(labels, (performance.now() - started) / 1_000);
      requests.inc(labels);
    }
  };
}

/** The route whose handler answered; middleware (registered with `use`, method ALL) is not a route. */
function respondingRoute(c: Parameters<MiddlewareHandler>[0]): string {
  const route = matchedRoutes(c)[c.req.routeIndex];
  return route && route.method !== METHOD_NAME_ALL ? route.path : UNMATCHED_ROUTE;
}
