/** An outbox row as the relay publishes it: JSON-plain, sequence numbers as decimal strings. */
export interface OutboxRecord {
  id: string;
  /** Insertion order; per aggregate it is the order the saga committed its events in. */
  sequence: string;
  aggregateType: string;
  aggregateId: string;
  eventType: string;
  schemaVersion: number;
  payload: Record<string, unknown>;
  correlationId: string | null;
  traceContext: string | null;
  occurredAt: string;
}

/** Where the relay publishes events. Kafka in production; anything that keeps order per key. */
export interface EventPublisher {
  /** Resolves once every event is durably accepted; events of one aggregate keep their order. */
  publish(events: OutboxRecord[]): Promise<void>;
  /** A cheap look at whether the broker accepts connections (no publish attempt). */
  isReachable(): Promise<boolean>;
  close(): Promise<void>;
}
