/**
 * The payment gateway's ledger (`GET /ledger`) as its clients read it: the consistency check, the
 * benches and the tests. These types describe the JSON the gateway answers; the simulator keeps its
 * own record types.
 */

export interface LedgerCharge {
  chargeId: string;
  idempotencyKey: string;
  customerId: string;
  cardToken: string;
  amountCents: number;
  status: 'captured' | 'declined';
  declineReason: string | null;
  createdAt: string;
}

export interface LedgerRefund {
  refundId: string;
  idempotencyKey: string;
  chargeIdempotencyKey: string;
  /** The refunded charge; null when nothing was captured and the key was voided. */
  chargeId: string | null;
  amountCents: number;
  status: 'refunded' | 'voided';
  createdAt: string;
}

export interface GatewayLedger {
  charges: LedgerCharge[];
  refunds: LedgerRefund[];
}

/** Reads the gateway's ledger: every charge and refund whose (charge) key starts with the prefix. */
export type LedgerSource = (keyPrefix: string) => Promise<GatewayLedger>;

export function httpLedgerSource(gatewayUrl: string): LedgerSource {
  return async (keyPrefix) => {
    const response = await fetch(`${gatewayUrl}/ledger?keyPrefix=${encodeURIComponent(keyPrefix)}`);
    if (!response.ok) throw new Error(`payment gateway ledger answered ${response.status}`);
    return (await response.json()) as GatewayLedger;
  };
}

/** The charges and refunds of exactly one charge key (a prefix also matches longer keys). */
export async function ledgerOfChargeKey(
  ledgerOf: LedgerSource,
  chargeKey: string,
): Promise<GatewayLedger> {
  const ledger = await ledgerOf(chargeKey);
  return {
    charges: ledger.charges.filter((charge) => charge.idempotencyKey === chargeKey),
    refunds: ledger.refunds.filter((refund) => refund.chargeIdempotencyKey === chargeKey),
  };
}
