import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Hono } from 'hono';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { httpTracing } from '../../api/http/http-tracing.middleware.js';
import { registerTracing } from '../../platform/telemetry/tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';

const spans = new InMemorySpanExporter();
const tracing = registerTracing({
  serviceName: 'test',
  spanProcessor: new SimpleSpanProcessor(spans),
});

beforeEach(() => spans.reset());
afterAll(() => tracing.shutdown());

function tracedApp() {
  const app = new Hono();
  app.use('*', httpTracing(tracing.tracer('test')));
  const orders = new Hono();
  orders.get('/orders/:id', (c) => c.json({ id: c.req.param('id') }));
  orders.post('/orders', () => {
    throw new Error('boom');
  });
  app.route('/', orders);
  app.onError((_error, c) => c.json({ error: 'internal error' }, 500));
  return app;
}

describe('HTTP server spans', () => {
  it('are named after the matched route and continue an incoming traceparent', async () => {
    const response = await tracedApp().request('/orders/o-1', {
      headers: { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` },
    });
    expect(response.status).toBe(200);
    const [span] = spans.getFinishedSpans();
    expect(span).toMatchObject({
      name: 'GET /orders/:id',
      kind: SpanKind.SERVER,
      parentSpanId: PARENT_ID,
      attributes: expect.objectContaining({
        'http.route': '/orders/:id',
        'url.path': '/orders/o-1',
        'http.response.status_code': 200,
      }),
    });
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
  });

  it('start a trace without one, and record a 500 as an error', async () => {
    expect((await tracedApp().request('/orders', { method: 'POST' })).status).toBe(500);
    const [span] = spans.getFinishedSpans();
    expect(span).toMatchObject({ name: 'POST /orders', parentSpanId: undefined });
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('of an unknown path carry the method only', async () => {
    expect((await tracedApp().request('/nowhere/42')).status).toBe(404);
    expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['GET']);
  });
});
