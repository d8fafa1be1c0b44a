import type { OrderSagaInput, OrderStatus } from '../../workflows/orders/order.types.js';

export type PlaceOrderOutcome =
  | { kind: 'started' }
  /** The same Idempotency-Key was used before for the same request. */
  | { kind: 'duplicate' }
  /** The same Idempotency-Key was used before for a different request. */
  | { kind: 'conflict' };

export type CancelOrderOutcome =
  { kind: 'accepted' } | { kind: 'not-found' } | { kind: 'rejected'; reason: string };

/** What the API asks of the order sagas; the Temporal implementation starts, updates or awaits workflows. */
export interface OrderCommands {
  placeOrder(input: OrderSagaInput, requestFingerprint: string): Promise<PlaceOrderOutcome>;
  cancelOrder(orderId: string, reason: string | undefined): Promise<CancelOrderOutcome>;
  /** Resolves true once the saga has ended, false if it is still running after `timeoutMs`. */
  waitForEnd(orderId: string, timeoutMs: number): Promise<boolean>;
  /**
   * The order's status as its saga's execution shows it, or null when there is no saga: for orders
   * whose row is not written yet, or never will be (the saga failed on its first step).
   */
  sagaStatus(orderId: string): Promise<OrderStatus | null>;
}
