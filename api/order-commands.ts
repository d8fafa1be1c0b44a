import type { OrderSagaInput } from '../workflows/contracts/types.js';

export type PlaceOrderOutcome =
  | { kind: 'started' }
  /** The same Idempotency-Key was used before for the same request. */
  | { kind: 'duplicate' }
  /** The same Idempotency-Key was used before for a different request. */
  | { kind: 'conflict' };

export type CancelOrderOutcome = { kind: 'accepted' } | { kind: 'not-found' } | { kind: 'rejected'; reason: string };

/** What the API asks of the order sagas; the Temporal implementation starts, updates or awaits workflows. */
export interface OrderCommands {
  placeOrder(input: OrderSagaInput, requestFingerprint: string): Promise<PlaceOrderOutcome>;
  cancelOrder(orderId: string, reason: string | undefined): Promise<CancelOrderOutcome>;
  /** Resolves true once the saga has ended, false if it is still running after `timeoutMs`. */
  waitForEnd(orderId: string, timeoutMs: number): Promise<boolean>;
  /** Whether a saga exists for the order (it may not have written its order row yet). */
  exists(orderId: string): Promise<boolean>;
}
