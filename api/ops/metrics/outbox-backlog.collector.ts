import { Gauge, type Registry } from 'prom-client';
import type { Backlog } from '../../../activities/outbox/event-log.queries.js';
import type { ScrapeCollector } from './scrape-collectors.js';

/** Events waiting in the outbox for the relay, and how long the oldest has waited. */
export function outboxBacklogCollector(
  registry: Registry,
  backlog: () => Promise<Pick<Backlog, 'unpublished' | 'oldestOccurredAt'>>,
  now: () => number = Date.now,
): ScrapeCollector {
  const unpublished = new Gauge({
    name: 'outbox_unpublished_events',
    help: 'Events committed to the outbox and not yet published to Kafka',
    registers: [registry],
  });
  const oldestAge = new Gauge({
    name: 'outbox_oldest_unpublished_age_seconds',
    help: 'Age of the oldest unpublished outbox event (0 when none waits): how far Kafka lags behind the database',
    registers: [registry],
  });
  return {
    name: 'outbox',
    async read() {
      const current = await backlog();
      const ageSeconds = current.oldestOccurredAt
        ? Math.max(0, (now() - Date.parse(current.oldestOccurredAt)) / 1_000)
        : 0;
      return () => {
        unpublished.set(current.unpublished);
        oldestAge.set(ageSeconds);
      };
    },
    clear() {
      // reset() would leave an unlabelled gauge at 0, which reads as "no backlog".
      unpublished.remove();
      oldestAge.remove();
    },
  };
}
