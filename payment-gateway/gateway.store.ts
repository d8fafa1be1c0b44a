export interface ChargeRecord {
  chargeId: string;
  idempotencyKey: string;
  customerId: string;
  cardToken: string;
  amountCents: number;
  status: 'captured' | 'declined';
  declineReason: string | null;
  createdAt: string;
}

export interface RefundRecord {
  refundId: string;
  idempotencyKey: string;
  chargeIdempotencyKey: string;
  /** The refunded charge; null when nothing was captured and the key was voided. */
  chargeId: string | null;
  amountCents: number;
  status: 'refunded' | 'voided';
  createdAt: string;
}

export interface Ledger {
  charges: ChargeRecord[];
  refunds: RefundRecord[];
}

export interface NewCharge {
  idempotencyKey: string;
  customerId: string;
  cardToken: string;
  amountCents: number;
  /** Set when the charge must be declined (e.g. a declined card); otherwise it is captured. */
  declineReason?: string;
}

export interface NewRefund {
  idempotencyKey: string;
  chargeIdempotencyKey: string;
}

/** A stored record, and whether it already existed (the request was a repeat). */
export interface Recorded<T> {
  record: T;
  replayed: boolean;
}

/** Reason given to a charge whose idempotency key a refund has already voided. */
export const VOIDED_REASON = 'voided';

export interface GatewayStore {
  /**
   * At most one charge per idempotency key: a repeat gets the stored charge back (whatever its
   * request). A key already voided by a refund is recorded as declined with reason `voided`.
   */
  recordCharge(charge: NewCharge): Promise<Recorded<ChargeRecord>>;
  /**
   * At most one refund per refund key and per charge key. Refunds the charge captured under
   * `chargeIdempotencyKey`, or, if none was, voids the key so that no later charge captures.
   */
  recordRefund(refund: NewRefund): Promise<Recorded<RefundRecord>>;
  findChargeByKey(idempotencyKey: string): Promise<ChargeRecord | undefined>;
  findChargeById(chargeId: string): Promise<ChargeRecord | undefined>;
  /** Every charge and refund, or only those whose (charge) idempotency key starts with `keyPrefix`. */
  ledger(keyPrefix?: string): Promise<Ledger>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
}
