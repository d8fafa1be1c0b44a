/** What the payment activities need from a payment gateway. Transient failures are thrown as plain Errors. */

export interface ChargeRequest {
  /** The same key always yields the first result: a retried charge never charges twice. */
  idempotencyKey: string;
  amountCents: number;
  cardToken: string;
  customerId: string;
}

export type ChargeOutcome =
  | { kind: 'captured'; chargeId: string; amountCents: number }
  | { kind: 'declined'; reason: string };

export interface RefundRequest {
  idempotencyKey: string;
  /** Refunds whatever was charged under this key (the saga may not know the charge id). */
  chargeIdempotencyKey: string;
}

export type RefundOutcome =
  | { kind: 'refunded'; refundId: string; chargeId: string; amountCents: number }
  /** Nothing was charged under the key; the gateway now refuses any late charge with it. */
  | { kind: 'voided' };

export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  refund(request: RefundRequest): Promise<RefundOutcome>;
}
