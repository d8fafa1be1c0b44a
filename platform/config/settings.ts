import { z } from 'zod';
import { BOOKING_TASK_QUEUE, ORDER_TASK_QUEUE } from '../../workflows/contracts/names.js';

/** Settings shared by several processes. Defaults match the local stack and docker-compose.yml. */

export const port = z.coerce.number().int().min(1).max(65535);

const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port');

const duration = z.coerce.number().int().positive();

export const DEFAULTS = {
  DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:5432/durable_sagas',
  TEMPORAL_ADDRESS: '127.0.0.1:7233',
  TEMPORAL_UI_PORT: 8233,
  KAFKA_BROKERS: '127.0.0.1:9092',
  REDIS_URL: 'redis://127.0.0.1:6379',
  API_PORT: 3000,
  PAYMENT_GATEWAY_PORT: 4010,
  PAYMENT_GATEWAY_URL: 'http://127.0.0.1:4010',
} as const;

export const databaseSettings = {
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgresql:// URL')
    .default(DEFAULTS.DATABASE_URL),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(20),
};

export const temporalSettings = {
  TEMPORAL_ADDRESS: hostPort.default(DEFAULTS.TEMPORAL_ADDRESS),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
};

/** Task queues; a demo or test gives its own workers (and API) private ones so other workers stay out. */
export const taskQueueSettings = {
  ORDER_TASK_QUEUE: z.string().min(1).default(ORDER_TASK_QUEUE),
  BOOKING_TASK_QUEUE: z.string().min(1).default(BOOKING_TASK_QUEUE),
};

export const kafkaSettings = {
  KAFKA_BROKERS: z
    .string()
    .default(DEFAULTS.KAFKA_BROKERS)
    .transform((value) => value.split(',').map((broker) => broker.trim()))
    .pipe(z.array(hostPort).min(1)),
  KAFKA_CLIENT_ID: z.string().min(1).default('durable-sagas'),
  /** Events go to `<prefix>.<aggregate type>` (sagas.order, sagas.booking, sagas.event). */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('sagas'),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(256).default(4),
};

export const relaySettings = {
  /** Events claimed, published and marked per transaction. */
  RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Batches in flight to Kafka at once (each for different aggregates, so per-aggregate order holds). */
  RELAY_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** Safety net besides LISTEN/NOTIFY: look for unpublished events at least this often. */
  RELAY_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** Cap of the exponential backoff between publish attempts while Kafka is down. */
  RELAY_MAX_BACKOFF_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Published events older than this are deleted from the event log; 0 keeps them forever. */
  EVENT_LOG_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0),
};

export const redisSettings = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// URL')
    .default(DEFAULTS.REDIS_URL),
};

export const cacheSettings = {
  /** How long a cached event (and its availability) lives; seat changes replace it sooner. */
  EVENT_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
};

export const paymentGatewaySettings = {
  PAYMENT_GATEWAY_URL: z.string().url().default(DEFAULTS.PAYMENT_GATEWAY_URL),
  PAYMENT_GATEWAY_TIMEOUT_MS: duration.default(5_000),
  /** Consecutive transient gateway failures (5xx, network, timeout) that open the circuit breaker. */
  PAYMENT_BREAKER_FAILURES: z.coerce.number().int().min(1).default(5),
  /** How long the open circuit fails calls fast before it lets one through as a probe. */
  PAYMENT_BREAKER_HALF_OPEN_MS: duration.default(5_000),
};

export const consumerSettings = {
  /** Consumer groups; their read-model rows are keyed by group, so another group builds its own copy. */
  LOYALTY_CONSUMER_GROUP: z.string().min(1).default('loyalty'),
  ORDER_VIEW_CONSUMER_GROUP: z.string().min(1).default('order-view'),
  /** Attempts at one message before it goes to the consumer's dead-letter topic. */
  CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(3),
};

/** Tracing; `none` registers nothing, so untraced processes pay nothing (and outbox rows carry no traceparent). */
export const tracingSettings = {
  OTEL_TRACES_EXPORTER: z.enum(['none', 'console', 'otlp']).default('none'),
  /** OTLP/HTTP base URL, as in the OpenTelemetry spec: spans go to `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().default('http://127.0.0.1:4318'),
  /** Overrides the process's own name (durable-sagas-api, -worker, -consumers). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
};

export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const logSettings = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `pretty`: one readable line per entry; `json`: pino's. Unset: pretty on a TTY, else JSON. */
  LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
  /** https://no-color.org: any value but '' prints pretty logs without colours. */
  NO_COLOR: z.string().optional(),
  /** Colours in pretty logs even off a terminal; `0` or `false`: none anywhere (Node's rule). */
  FORCE_COLOR: z.string().optional(),
};
