import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import {
  createHttpPaymentGateway,
  PaymentGatewayRejectedError,
} from '../../activities/payments/payment.gateway.js';
import type { ChargeRecord, Ledger } from '../../payment-gateway/gateway.store.js';

const baseUrl = inject('stackEnv').PAYMENT_GATEWAY_URL;
if (!baseUrl) throw new Error('stackEnv.PAYMENT_GATEWAY_URL is not provided');
const gateway = createHttpPaymentGateway({ baseUrl, timeoutMs: 10_000 });

const chargeFor = (idempotencyKey: string, cardToken = 'tok_visa') => ({
  idempotencyKey,
  amountCents: 4_200,
  cardToken,
  customerId: 'cust-integration',
});

async function fetchLedger(): Promise<Ledger> {
  const response = await fetch(`${baseUrl}/ledger`);
  expect(response.status).toBe(200);
  return (await response.json()) as Ledger;
}

async function ledgerFor(chargeIdempotencyKey: string): Promise<Ledger> {
  const ledger = await fetchLedger();
  return {
    charges: ledger.charges.filter((c) => c.idempotencyKey === chargeIdempotencyKey),
    refunds: ledger.refunds.filter((r) => r.chargeIdempotencyKey === chargeIdempotencyKey),
  };
}

describe('payment gateway (real service)', () => {
  it('reports healthy', async () => {
    const response = await fetch(`${baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('charges exactly once for 20 concurrent requests with one key', async () => {
    const key = `charge:${randomUUID()}`;
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => gateway.charge(chargeFor(key))),
    );

    const chargeIds = new Set(outcomes.map((o) => (o.kind === 'captured' ? o.chargeId : o.kind)));
    expect(chargeIds.size).toBe(1);
    expect(outcomes[0]).toMatchObject({ kind: 'captured', amountCents: 4_200 });
    const { charges } = await ledgerFor(key);
    expect(charges).toEqual([
      expect.objectContaining({ status: 'captured', chargeId: [...chargeIds][0] }),
    ]);
  });

  it('declines the declined test card', async () => {
    expect(await gateway.charge(chargeFor(`charge:${randomUUID()}`, 'tok_declined'))).toEqual({
      kind: 'declined',
      reason: 'card_declined',
    });
  });

  it('rejects a reused key with a different amount as permanent', async () => {
    const key = `charge:${randomUUID()}`;
    await gateway.charge(chargeFor(key));
    const reused = gateway.charge({ ...chargeFor(key), amountCents: 1 });
    await expect(reused).rejects.toBeInstanceOf(PaymentGatewayRejectedError);
    await expect(reused).rejects.toMatchObject({ status: 422 });
  });

  it('loses the first response of tok_drop_response but the retry returns the one captured charge', async () => {
    const key = `charge:${randomUUID()}`;
    const request = chargeFor(key, 'tok_drop_response');

    const firstAttempt = gateway.charge(request);
    await expect(firstAttempt).rejects.toThrow(/POST \/charges failed/);
    await expect(firstAttempt).rejects.not.toBeInstanceOf(PaymentGatewayRejectedError);

    const { charges: afterDrop } = await ledgerFor(key);
    expect(afterDrop).toEqual([expect.objectContaining({ status: 'captured' })]);
    const captured = afterDrop[0] as ChargeRecord;

    expect(await gateway.charge(request)).toEqual({
      kind: 'captured',
      chargeId: captured.chargeId,
      amountCents: 4_200,
    });
    expect((await ledgerFor(key)).charges).toHaveLength(1);
  });

  it('refunds a captured charge once', async () => {
    const key = `charge:${randomUUID()}`;
    const charged = await gateway.charge(chargeFor(key));
    if (charged.kind !== 'captured')
      throw new Error(`expected a capture, got ${JSON.stringify(charged)}`);
    const refundKey = `refund:${randomUUID()}`;
    const refunded = await gateway.refund({ idempotencyKey: refundKey, chargeIdempotencyKey: key });
    expect(refunded).toEqual({
      kind: 'refunded',
      refundId: expect.any(String),
      chargeId: charged.chargeId,
      amountCents: 4_200,
    });
    expect(await gateway.refund({ idempotencyKey: refundKey, chargeIdempotencyKey: key })).toEqual(
      refunded,
    );
    expect((await ledgerFor(key)).refunds).toHaveLength(1);
  });

  it('never leaves a captured charge unrefunded when a racing refund voided its key', async () => {
    const races = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const key = `charge:${randomUUID()}`;
        const [charge, refund] = await Promise.all([
          gateway.charge(chargeFor(key)),
          gateway.refund({ idempotencyKey: `refund:${randomUUID()}`, chargeIdempotencyKey: key }),
        ]);
        return { key, charge, refund };
      }),
    );
    const ledger = await fetchLedger();

    for (const { key, charge, refund } of races) {
      const charges = ledger.charges.filter((c) => c.idempotencyKey === key);
      const refunds = ledger.refunds.filter((r) => r.chargeIdempotencyKey === key);
      expect(charges).toHaveLength(1);
      expect(refunds).toHaveLength(1);
      if (refund.kind === 'voided') {
        expect(charge).toEqual({ kind: 'declined', reason: 'voided' });
        expect(charges[0]?.status).toBe('declined');
      } else {
        expect(charge).toMatchObject({ kind: 'captured', chargeId: refund.chargeId });
        expect(refunds[0]).toMatchObject({ status: 'refunded', chargeId: charges[0]?.chargeId });
      }
    }
  });
});
