import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';

const requestHeaders: TextMapGetter<Headers> = {
  keys: (headers) => [...headers.keys()],
  get: (headers, key) => headers.get(key) ?? undefined,
};

/**
 * A SERVER span per request, continuing the caller's `traceparent` if it sent one, and active while
 * the handler runs (so the Temporal client's spans are its children). Named after the matched route
 * (`POST /orders`, `GET /orders/:id`), not the path, so names stay few.
 */
export function httpTracing(tracer: Tracer): MiddlewareHandler {
  return async (c, next) => {
    const method = c.req.method;
    const ownPath = routePath(c);
    const parent = propagation.extract(ROOT_CONTEXT, c.req.raw.headers, requestHeaders);
    const span = tracer.startSpan(
      method,
      {
        kind: SpanKind.SERVER,
        attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: c.req.path },
      },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      // The last matched route is the handler's; when it is this middleware's own, nothing matched.
      const route = routePath(c, -1);
      if (route !== ownPath) {
        span.updateName(`${method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, c.res.status);
      if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  };
}
