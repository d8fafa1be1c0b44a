import type { MetricMeter } from '@temporalio/common';
import type {
  BreakerState,
  PaymentGatewayBreaker,
} from '../../activities/payments/payment.breaker.js';

const STATES: readonly BreakerState[] = ['closed', 'half-open', 'open'];

/**
 * Publishes the payment circuit breaker's state on the worker's metrics endpoint, beside the
 * Temporal SDK's own metrics: `payment_circuit_breaker_state{state}` is 1 for the current state and
 * 0 for the others, so `== 1` on `state="open"` is the alert. Returns the function that stops it.
 */
export function exportBreakerState(breaker: PaymentGatewayBreaker, meter: MetricMeter): () => void {
  const gauge = meter.createGauge(
    'payment_circuit_breaker_state',
    'int',
    undefined,
    "The payment gateway circuit breaker's current state (1) among closed, half-open and open",
  );
  const record = (current: BreakerState) => {
    for (const state of STATES) gauge.set(state === current ? 1 : 0, { state });
  };
  record(breaker.state());
  return breaker.onStateChange(record);
}
