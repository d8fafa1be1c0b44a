import type { OutboxRecord } from './event-log.repository.js';

/** Where the relay publishes events. Kafka in production; anything that keeps order per key. */
export interface EventPublisher {
  /** Resolves once every event is durably accepted; events of one aggregate keep their order. */
  publish(events: OutboxRecord[]): Promise<void>;
  /** A cheap look at whether the broker accepts connections (no publish attempt). */
  isReachable(): Promise<boolean>;
  close(): Promise<void>;
}
