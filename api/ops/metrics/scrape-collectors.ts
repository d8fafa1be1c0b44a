import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { errorText } from '../../../platform/config/error-text.js';
import { withTimeLimit } from '../../http/time-limit.js';

/**
 * Metrics read from their source (Postgres, Kafka) when Prometheus scrapes, rather than counted in
 * this process: they stay right with several API instances and across restarts.
 */
export interface ScrapeCollector {
  /** Its `collector` label on `metrics_collector_up`. */
  name: string;
  /**
   * Reads the current values and returns the function that publishes them into the registry.
   * Publishing is synchronous, so a concurrent scrape never sees a half-replaced set of series.
   */
  read(signal: AbortSignal): Promise<() => void>;
  /** Drops the collector's series: after a failed read, old numbers would pass for current ones. */
  clear(): void;
}

export interface ScrapeCollectorsOptions {
  registry: Registry;
  collectors: readonly ScrapeCollector[];
  /** How long each read may take; Prometheus's own scrape timeout is 10 s by default. */
  timeoutMs: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

/**
 * Runs every collector at once before a scrape, each bounded by the timeout. One failing (Postgres
 * or Kafka down) leaves its series out and sets its `metrics_collector_up` to 0; the others and the
 * in-process metrics are still served.
 */
export function createScrapeCollectors({
  registry,
  collectors,
  timeoutMs,
  logger,
}: ScrapeCollectorsOptions) {
  const up = new Gauge({
    name: 'metrics_collector_up',
    help: '1 if the collector read its source within the time limit at this scrape; 0 if it failed (its series are then absent)',
    labelNames: ['collector'],
    registers: [registry],
  });
  const duration = new Gauge({
    name: 'metrics_collector_duration_seconds',
    help: 'How long the collector took to read its source at this scrape',
    labelNames: ['collector'],
    registers: [registry],
  });
  // Logged on the change only: Prometheus scrapes every few seconds for as long as an outage lasts.
  const failing = new Set<string>();

  const collectOne = async (collector: ScrapeCollector) => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1_000;
    try {
      const publish = await withTimeLimit((signal) => collector.read(signal), timeoutMs);
      publish();
      up.set({ collector: collector.name }, 1);
      if (failing.delete(collector.name)) {
        logger?.info({ collector: collector.name }, 'metrics collector recovered');
      }
    } catch (error) {
      collector.clear();
      up.set({ collector: collector.name }, 0);
      if (!failing.has(collector.name)) {
        failing.add(collector.name);
        logger?.warn(
          { collector: collector.name, error: errorText(error) },
          'metrics collector failed: its series are left out until it recovers',
        );
      }
    } finally {
      duration.set({ collector: collector.name }, seconds());
    }
  };

  return {
    /** Never rejects. */
    async collect(): Promise<void> {
      await Promise.all(collectors.map(collectOne));
    },
  };
}
