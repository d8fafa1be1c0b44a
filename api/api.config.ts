import { z } from 'zod';
import {
  DEFAULTS,
  cacheSettings,
  consumerSettings,
  databaseSettings,
  kafkaSettings,
  logSettings,
  paymentGatewaySettings,
  port,
  redisSettings,
  taskQueueSettings,
  temporalSettings,
  tracingSettings,
} from '../platform/config/settings.js';
import { DEFAULT_PAYMENT_DEADLINE_SECONDS } from '../workflows/contracts/payment-deadline.js';

export const apiConfigSchema = z.object({
  ...databaseSettings,
  ...temporalSettings,
  ...taskQueueSettings,
  ...logSettings,
  ...tracingSettings,
  ...redisSettings,
  ...cacheSettings,
  // Only for the readiness check and consumer lag in /metrics: the API never publishes or consumes.
  KAFKA_BROKERS: kafkaSettings.KAFKA_BROKERS,
  KAFKA_CLIENT_ID: kafkaSettings.KAFKA_CLIENT_ID,
  // The read-model routes read the rows of these consumer groups.
  LOYALTY_CONSUMER_GROUP: consumerSettings.LOYALTY_CONSUMER_GROUP,
  ORDER_VIEW_CONSUMER_GROUP: consumerSettings.ORDER_VIEW_CONSUMER_GROUP,
  // The consistency check reads the gateway's ledger.
  ...paymentGatewaySettings,
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(DEFAULTS.API_PORT),
  ORDER_PAYMENT_DEADLINE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(DEFAULT_PAYMENT_DEADLINE_SECONDS),
  ORDER_WAIT_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(30_000),
  BOOKING_HOLD_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
  BOOKING_PAYMENT_DEADLINE_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(86_400)
    .default(DEFAULT_PAYMENT_DEADLINE_SECONDS),
  /** How long each dependency check of GET /health/ready may take before it counts as down. */
  HEALTH_CHECK_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(1_000),
  /** How long GET /metrics waits for each scrape-time reading (Postgres counts, Kafka offsets) before leaving it out. */
  METRICS_COLLECT_TIMEOUT_MS: z.coerce.number().int().min(50).max(30_000).default(2_000),
  /** Booking Updates of one kind (holds; payments and cancels) awaiting Temporal at once per API process; more queue here. */
  BOOKING_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(500),
});

export type ApiConfig = z.infer<typeof apiConfigSchema>;
