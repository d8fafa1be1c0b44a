import type { PrismaClient } from '../../../prisma/client.js';

export interface KafkaOutageOptions {
  /** The API: `app.request` in a test, a fetch against a base URL in the demo. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  /** The broker the relay publishes to and the consumers read from. */
  kafka: { stop(): Promise<void>; start(): Promise<void> };
  prisma: PrismaClient;
  consumerGroups: { loyalty: string; orderView: string };
  narrate: (line: string) => void;
  /** Orders placed while Kafka is down (default 20). */
  orders?: number;
  /** When given, the messages of the run's events are counted on the order topic at the end. */
  topics?: { brokers: string[]; prefix: string };
  /** Limit of each wait: for the relay, the backlog, the read models (default 120 s). */
  waitTimeoutMs?: number;
  /** Ends the scenario early (its requests and waits), e.g. on Ctrl-C; a stopped Kafka is started again. */
  signal?: AbortSignal;
}

export interface KafkaOutageResult {
  runId: string;
  customerId: string;
  orderIds: string[];
  /** Outbox events of those orders. */
  events: number;
  expectedPoints: number;
  outage: {
    kafkaStopMs: number;
    placeOrdersMs: number;
    unpublished: number;
    oldestUnpublishedAgeMs: number;
    relayState: string;
    relayAttempt: number;
    relayLastError: string;
  };
  recovery: {
    /** Until `kafka.start()` resolved (the broker answers). */
    kafkaStartMs: number;
    /** From then until GET /admin/outbox showed no backlog. */
    drainedMs: number;
    /** From then until the relay's heartbeat showed it no longer failing. */
    relayRecoveredMs: number;
    /** From then until every view said CONFIRMED with all its events, and the points were in. */
    readModelsMs: number;
  };
  audit: {
    processedRows: Record<string, number>;
    points: number;
    /** Messages of the run's events on the order topic, when `topics` was given. */
    kafkaMessages: number | null;
  };
}
