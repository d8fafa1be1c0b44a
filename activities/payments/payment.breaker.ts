import {
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  isBrokenCircuitError,
} from 'cockatiel';
import type { Logger } from 'pino';
import { PaymentGatewayRejectedError } from './payment.gateway.js';
import type { PaymentGateway } from './payment.port.js';

/**
 * The circuit is open: the call was not sent. A plain (retryable) Error, so Temporal's activity retry
 * backoff spaces the attempts until the breaker lets a probe through.
 */
export class PaymentGatewayUnavailableError extends Error {
  override readonly name = 'PaymentGatewayUnavailableError';

  constructor(
    /** When the next call will be let through as a probe. */
    readonly halfOpenAt: Date,
    lastFailure: Error | undefined,
  ) {
    const wait = Math.max(0, halfOpenAt.getTime() - Date.now());
    const last = lastFailure ? ` (last failure: ${lastFailure.message})` : '';
    super(
      `payment gateway circuit is open${last}; calls fail fast until it half-opens at ${halfOpenAt.toISOString()} (in ${wait} ms)`,
    );
  }
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface PaymentGatewayBreaker {
  /**
   * `open` lasts until the first call after `halfOpenAfterMs`: that call is the probe (the state
   * changes on calls, not on a timer).
   */
  state(): BreakerState;
  /** Called on every transition; returns the function that unsubscribes. */
  onStateChange(listener: (state: BreakerState) => void): () => void;
}

export interface PaymentGatewayWithBreaker extends PaymentGateway {
  readonly breaker: PaymentGatewayBreaker;
}

export interface CircuitBreakerOptions {
  /** Consecutive transient failures that open the circuit. */
  failures: number;
  /** How long the circuit stays open before one call is let through as a probe. */
  halfOpenAfterMs: number;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/**
 * A rejection (4xx) is the gateway answering: only what says it is down or unreachable (5xx, 408/429,
 * network errors, timeouts, garbled replies) counts. Declines are outcomes, never errors.
 */
const isTransient = (error: Error) => !(error instanceof PaymentGatewayRejectedError);

function toBreakerState(state: CircuitState): BreakerState {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    case CircuitState.Open:
    case CircuitState.Isolated:
      return 'open';
  }
}

/**
 * One breaker for all of a process's calls to the gateway (charges and refunds alike: both fail when
 * it is down). While open, calls fail fast with `PaymentGatewayUnavailableError` instead of each
 * waiting for its own timeout.
 */
export function withCircuitBreaker(
  gateway: PaymentGateway,
  { failures, halfOpenAfterMs, logger }: CircuitBreakerOptions,
): PaymentGatewayWithBreaker {
  const policy = circuitBreaker(handleWhen(isTransient), {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(failures),
  });
  // cockatiel does not expose when it opened; it emits the change synchronously as it opens.
  let halfOpenAt = new Date(0);
  let previous: BreakerState = 'closed';

  const lastFailure = (): Error | undefined => {
    const reason = policy.lastFailure;
    return reason && 'error' in reason ? reason.error : undefined;
  };

  policy.onStateChange((circuit) => {
    const state = toBreakerState(circuit);
    if (state === 'open') {
      halfOpenAt = new Date(Date.now() + halfOpenAfterMs);
      logger.warn(
        {
          err: lastFailure(),
          halfOpenAt: halfOpenAt.toISOString(),
          probeFailed: previous === 'half-open',
        },
        'payment gateway circuit opened: calls fail fast until it half-opens',
      );
    } else if (state === 'half-open') {
      logger.info('payment gateway circuit half-open: letting a probe call through');
    } else {
      logger.info('payment gateway circuit closed');
    }
    previous = state;
  });

  async function call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await policy.execute(fn);
    } catch (error) {
      if (isBrokenCircuitError(error)) {
        throw new PaymentGatewayUnavailableError(halfOpenAt, lastFailure());
      }
      throw error;
    }
  }

  return {
    charge: (request) => call(() => gateway.charge(request)),
    refund: (request) => call(() => gateway.refund(request)),
    breaker: {
      state: () => toBreakerState(policy.state),
      onStateChange(listener) {
        // cockatiel emits inside execute(): a throwing listener would fail the call that changed the state.
        const subscription = policy.onStateChange((circuit) => {
          try {
            listener(toBreakerState(circuit));
          } catch (error) {
            logger.warn({ err: error }, 'payment gateway circuit state listener failed');
          }
        });
        return () => subscription.dispose();
      },
    },
  };
}
