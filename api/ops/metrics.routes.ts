import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import { createScrapeCollectors, type ScrapeCollector } from './metrics/scrape-collectors.js';

export interface MetricsDeps {
  /** Also holds the HTTP metrics; one per app, so tests do not share prom-client's global one. */
  registry: Registry;
  /** Read at each scrape (saga outcomes, outbox backlog, consumer lag). */
  collectors?: readonly ScrapeCollector[];
  /** How long each collector may take before its series are left out of the scrape. */
  collectTimeoutMs?: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

/** `GET /metrics` in Prometheus text. Outside the OpenAPI document: it is for Prometheus, not clients. */
export function createMetricsRoutes({
  registry,
  collectors = [],
  collectTimeoutMs = 2_000,
  logger,
}: MetricsDeps) {
  const scrape = createScrapeCollectors({
    registry,
    collectors,
    timeoutMs: collectTimeoutMs,
    logger,
  });
  const app = new Hono();
  app.get('/metrics', async (c) => {
    await scrape.collect();
    return c.body(await registry.metrics(), 200, {
      'content-type': registry.contentType,
      'cache-control': 'no-store',
    });
  });
  return app;
}
