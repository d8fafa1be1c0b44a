import type { Logger } from 'pino';
import { withCircuitBreaker } from '../../activities/payments/payment.breaker.js';
import { createHttpPaymentGateway } from '../../activities/payments/payment.gateway.js';
import type { WorkerConfig } from '../worker.config.js';

export type PaymentGatewaySettings = Pick<
  WorkerConfig,
  | 'PAYMENT_GATEWAY_URL'
  | 'PAYMENT_GATEWAY_TIMEOUT_MS'
  | 'PAYMENT_BREAKER_FAILURES'
  | 'PAYMENT_BREAKER_HALF_OPEN_MS'
>;

/** The HTTP payment gateway behind its circuit breaker, as every worker builds it. */
export function createPaymentGatewayFromConfig(config: PaymentGatewaySettings, logger: Logger) {
  return withCircuitBreaker(
    createHttpPaymentGateway({
      baseUrl: config.PAYMENT_GATEWAY_URL,
      timeoutMs: config.PAYMENT_GATEWAY_TIMEOUT_MS,
    }),
    {
      failures: config.PAYMENT_BREAKER_FAILURES,
      halfOpenAfterMs: config.PAYMENT_BREAKER_HALF_OPEN_MS,
      logger,
    },
  );
}
