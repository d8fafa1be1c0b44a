import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../activities/orders/order.repository.js';
import { createApp } from '../../api/app.js';
import { UNMATCHED_ROUTE } from '../../api/ops/metrics/http-metrics.middleware.js';
import type { ScrapeCollector } from '../../api/ops/metrics/scrape-collectors.js';
import type { OrderCommands } from '../../api/orders/order.commands.js';
import type { OrderQueries } from '../../activities/orders/order.queries.js';
import { parsePrometheusText, samplesOf } from '../support/prometheus-text.js';

const ORDER: OrderRecord = {
  id: 'order-7f3a9c1e',
  customerId: 'customer-42',
  status: 'CONFIRMED',
  totalCents: 2_500,
  chargeId: 'ch_1',
  refundId: null,
  failureReason: null,
  items: [{ sku: 'SKU-COFFEE', quantity: 2, unitPriceCents: 1_250 }],
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:01.000Z',
};

const unused = (): never => {
  throw new Error('not used by these tests');
};

/** The API over fakes, with metrics on a registry of its own. */
function apiWith({
  collectors = () => [],
  collectTimeoutMs,
  findOrder = async (id: string) => (id === ORDER.id ? ORDER : null),
}: {
  collectors?: (registry: Registry) => ScrapeCollector[];
  collectTimeoutMs?: number;
  findOrder?: OrderQueries['findOrder'];
} = {}) {
  const registry = new Registry();
  const app = createApp({
    orderCommands: {
      placeOrder: unused,
      cancelOrder: unused,
      waitForEnd: unused,
      sagaStatus: async () => null,
    } satisfies OrderCommands,
    orderQueries: { findOrder, listProducts: async () => [], unknownSkus: async () => [] },
    metrics: { registry, collectors: collectors(registry), collectTimeoutMs },
  });
  const scrape = async () => {
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    return { text, samples: parsePrometheusText(text) };
  };
  return { app, scrape };
}

/** A collector publishing one gauge, or failing / hanging as told. */
function fakeCollector(
  name: string,
  behaviour: { value: number } | 'fail' | 'hang',
  aborted: string[] = [],
) {
  return (registry: Registry): ScrapeCollector => {
    const gauge = new Gauge({
      name: `fake_${name}`,
      help: 'test',
      labelNames: ['kind'],
      registers: [registry],
    });
    return {
      name,
      async read(signal) {
        if (behaviour === 'fail') throw new Error(`${name} is down`);
        if (behaviour === 'hang') {
          return new Promise((_, reject) =>
            signal.addEventListener('abort', () => {
              aborted.push(name);
              reject(new Error('aborted'));
            }),
          );
        }
        return () => gauge.set({ kind: 'x' }, behaviour.value);
      },
      clear: () => gauge.reset(),
    };
  };
}

describe('GET /metrics: HTTP metrics', () => {
  it('counts and times a request by method, route pattern and status, never the raw path', async () => {
    const { app, scrape } = apiWith();
    expect((await app.request(`/orders/${ORDER.id}`)).status).toBe(200);
    expect((await app.request(`/orders/${ORDER.id}`)).status).toBe(200);
    expect((await app.request('/orders/order-missing')).status).toBe(404);

    const { text, samples } = await scrape();
    const ok = { method: 'GET', route: '/orders/:id', status: '200' };
    expect(samplesOf(samples, 'http_requests_total', ok)).toEqual([
      { name: 'http_requests_total', labels: ok, value: 2 },
    ]);
    expect(samplesOf(samples, 'http_request_duration_seconds_count', ok)[0]?.value).toBe(2);
    expect(
      samplesOf(samples, 'http_request_duration_seconds_bucket', { ...ok, le: '+Inf' })[0]?.value,
    ).toBe(2);
    // The order that does not exist answers 404 from the same route.
    expect(
      samplesOf(samples, 'http_requests_total', { route: '/orders/:id', status: '404' })[0]?.value,
    ).toBe(1);
    expect(text).not.toContain(`route="/orders/${ORDER.id}"`);
    expect(text).not.toContain('route="/orders/order-missing"');
  });

  it('labels a path no route matches as unmatched', async () => {
    const { app, scrape } = apiWith();
    expect((await app.request('/no/such/thing/42')).status).toBe(404);

    const { text, samples } = await scrape();
    expect(
      samplesOf(samples, 'http_requests_total', {
        method: 'GET',
        route: UNMATCHED_ROUTE,
        status: '404',
      })[0]?.value,
    ).toBe(1);
    expect(text).not.toContain('/no/such/thing');
  });

  it('records a handler that throws as a 500 of its route', async () => {
    const { app, scrape } = apiWith({
      findOrder: async () => {
        throw new Error('database gone');
      },
    });
    expect((await app.request(`/orders/${ORDER.id}`)).status).toBe(500);

    const { samples } = await scrape();
    expect(
      samplesOf(samples, 'http_requests_total', { route: '/orders/:id', status: '500' })[0]?.value,
    ).toBe(1);
  });
});

describe('GET /metrics: scrape-time collectors', () => {
  it('publishes what each collector read and reports it up', async () => {
    const { scrape } = apiWith({
      collectors: (registry) => [fakeCollector('sagas', { value: 7 })(registry)],
    });
    const { samples } = await scrape();
    expect(samplesOf(samples, 'fake_sagas', { kind: 'x' })[0]?.value).toBe(7);
    expect(samplesOf(samples, 'metrics_collector_up', { collector: 'sagas' })[0]?.value).toBe(1);
  });

  it('still answers 200 with everything else when one collector fails, and reports it down', async () => {
    const { app, scrape } = apiWith({
      collectors: (registry) => [
        fakeCollector('postgres', 'fail')(registry),
        fakeCollector('kafka', { value: 3 })(registry),
      ],
    });
    await app.request(`/orders/${ORDER.id}`);

    const { samples } = await scrape();
    expect(samplesOf(samples, 'metrics_collector_up', { collector: 'postgres' })[0]?.value).toBe(0);
    expect(samplesOf(samples, 'metrics_collector_up', { collector: 'kafka' })[0]?.value).toBe(1);
    expect(samplesOf(samples, 'fake_postgres')).toEqual([]);
    expect(samplesOf(samples, 'fake_kafka', { kind: 'x' })[0]?.value).toBe(3);
    expect(samplesOf(samples, 'http_requests_total', { route: '/orders/:id' })[0]?.value).toBe(1);
  });

  it('leaves out a collector that does not answer in time, and aborts it', async () => {
    const aborted: string[] = [];
    const { scrape } = apiWith({
      collectTimeoutMs: 50,
      collectors: (registry) => [
        fakeCollector('kafka', 'hang', aborted)(registry),
        fakeCollector('postgres', { value: 1 })(registry),
      ],
    });
    const { samples } = await scrape();
    expect(samplesOf(samples, 'metrics_collector_up', { collector: 'kafka' })[0]?.value).toBe(0);
    expect(samplesOf(samples, 'metrics_collector_up', { collector: 'postgres' })[0]?.value).toBe(1);
    expect(aborted).toEqual(['kafka']);
  });

  it('drops the series of a collector once it fails, so old numbers do not pass for current ones', async () => {
    let behaviour: { value: number } | 'fail' = { value: 5 };
    const { scrape } = apiWith({
      collectors: (registry) => {
        const gauge = new Gauge({
          name: 'fake_flaky',
          help: 'test',
          labelNames: ['kind'],
          registers: [registry],
        });
        return [
          {
            name: 'flaky',
            async read() {
              if (behaviour === 'fail') throw new Error('down');
              const { value } = behaviour;
              return () => gauge.set({ kind: 'x' }, value);
            },
            clear: () => gauge.reset(),
          },
        ];
      },
    });
    expect(samplesOf((await scrape()).samples, 'fake_flaky')[0]?.value).toBe(5);
    behaviour = 'fail';
    const { samples } = await scrape();
    expect(samplesOf(samples, 'fake_flaky')).toEqual([]);
    expect(samplesOf(samples, 'metrics_collector_up', { collector: 'flaky' })[0]?.value).toBe(0);
  });
});
