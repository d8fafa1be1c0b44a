import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createFaults,
  type FaultSettings,
  type FaultsOptions,
} from '../../payment-gateway/faults.js';
import { createGatewayApp, type NodeBindings } from '../../payment-gateway/gateway.app.js';
import {
  VOIDED_REASON,
  type ChargeRecord,
  type GatewayStore,
  type NewCharge,
  type NewRefund,
  type Recorded,
  type RefundRecord,
} from '../../payment-gateway/gateway.store.js';

/** In-memory store with the same contract as the Postgres one; each call is atomic (no await inside). */
class FakeGatewayStore implements GatewayStore {
  readonly charges: ChargeRecord[] = [];
  readonly refunds: RefundRecord[] = [];
  healthy = true;

  async recordCharge(charge: NewCharge): Promise<Recorded<ChargeRecord>> {
    const existing = this.charges.find((c) => c.idempotencyKey === charge.idempotencyKey);
    if (existing) return { record: existing, replayed: true };
    const voided = this.refunds.some((r) => r.chargeIdempotencyKey === charge.idempotencyKey);
    const declineReason = voided ? VOIDED_REASON : charge.declineReason;
    const record: ChargeRecord = {
      chargeId: `ch_${randomUUID()}`,
      idempotencyKey: charge.idempotencyKey,
      customerId: charge.customerId,
      cardToken: charge.cardToken,
      amountCents: charge.amountCents,
      status: declineReason === undefined ? 'captured' : 'declined',
      declineReason: declineReason ?? null,
      createdAt: new Date().toISOString(),
    };
    this.charges.push(record);
    return { record, replayed: false };
  }

  async recordRefund(refund: NewRefund): Promise<Recorded<RefundRecord>> {
    const existing =
      this.refunds.find((r) => r.idempotencyKey === refund.idempotencyKey) ??
      this.refunds.find((r) => r.chargeIdempotencyKey === refund.chargeIdempotencyKey);
    if (existing) return { record: existing, replayed: true };
    const charge = this.charges.find((c) => c.idempotencyKey === refund.chargeIdempotencyKey);
    const captured = charge?.status === 'captured' ? charge : undefined;
    const record: RefundRecord = {
      refundId: `re_${randomUUID()}`,
      idempotencyKey: refund.idempotencyKey,
      chargeIdempotencyKey: refund.chargeIdempotencyKey,
      chargeId: captured?.chargeId ?? null,
      amountCents: captured?.amountCents ?? 0,
      status: captured ? 'refunded' : 'voided',
      createdAt: new Date().toISOString(),
    };
    this.refunds.push(record);
    return { record, replayed: false };
  }

  async findChargeByKey(idempotencyKey: string) {
    return this.charges.find((c) => c.idempotencyKey === idempotencyKey);
  }

  async findChargeById(chargeId: string) {
    return this.charges.find((c) => c.chargeId === chargeId);
  }

  async ledger() {
    return { charges: [...this.charges], refunds: [...this.refunds] };
  }

  async ping() {
    if (!this.healthy) throw new Error('database down');
  }

  captured(idempotencyKey: string) {
    return this.charges.filter(
      (c) => c.idempotencyKey === idempotencyKey && c.status === 'captured',
    );
  }
}

const NO_FAULTS: FaultSettings = {
  errorRate: 0,
  latencyMs: 0,
  declinedCard: 'tok_declined',
  dropResponseRate: 0,
};

function setup({
  faults = {},
  options = {},
}: { faults?: Partial<FaultSettings>; options?: FaultsOptions } = {}) {
  const store = new FakeGatewayStore();
  const sleeps: number[] = [];
  const app = createGatewayApp({
    store,
    faults: createFaults({ ...NO_FAULTS, ...faults }, options),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });

  const post = (path: string, body: unknown, key: string | undefined, env?: NodeBindings) =>
    app.request(
      path,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key === undefined ? {} : { 'idempotency-key': key }),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      },
      env,
    );

  return {
    app,
    store,
    sleeps,
    charge: (key: string | undefined, body: unknown, env?: NodeBindings) =>
      post('/charges', body, key, env),
    refund: (key: string | undefined, chargeIdempotencyKey: unknown) =>
      post('/refunds', { chargeIdempotencyKey }, key),
    putFaults: (patch: unknown) =>
      app.request('/admin/faults', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(patch),
      }),
  };
}

const card = (cardToken = 'tok_visa', amountCents = 1_250) => ({
  amountCents,
  cardToken,
  customerId: 'cust-1',
});

describe('POST /charges validation', () => {
  it.each([
    ['a missing Idempotency-Key header', undefined, card(), 'Idempotency-Key'],
    ['an empty Idempotency-Key header', '', card(), 'Idempotency-Key'],
    ['a negative amount', 'k', card('tok_visa', -5), 'amountCents'],
    ['a fractional amount', 'k', card('tok_visa', 1.5), 'amountCents'],
    ['an amount sent as a string', 'k', { ...card(), amountCents: '100' }, 'amountCents'],
    ['a missing card token', 'k', { amountCents: 100, customerId: 'c' }, 'cardToken'],
    ['an empty customer id', 'k', { ...card(), customerId: '' }, 'customerId'],
    ['a body that is not JSON', 'k', '{"amountCents":', 'body'],
  ])(
    'answers 400 naming the field for %s, and records nothing',
    async (_case, key, body, field) => {
      const { charge, store } = setup();
      const res = await charge(key, body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ field });
      expect(store.charges).toHaveLength(0);
    },
  );
});

describe('POST /charges', () => {
  it('captures a charge', async () => {
    const { charge, store } = setup();
    const res = await charge('k1', card('tok_visa', 1_250));
    expect(res.status).toBe(201);
    expect(res.headers.get('Idempotent-Replayed')).toBeNull();
    const body = await res.json();
    expect(body).toEqual({
      status: 'captured',
      chargeId: expect.stringMatching(/^ch_/),
      amountCents: 1_250,
    });
    expect(store.captured('k1')).toHaveLength(1);
  });

  it('never charges twice for concurrent requests with one key, and marks the repeats as replayed', async () => {
    const { charge, store } = setup();
    const responses = await Promise.all(Array.from({ length: 10 }, () => charge('same', card())));
    const bodies = await Promise.all(
      responses.map((r) => r.json() as Promise<{ chargeId: string }>),
    );

    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(bodies.map((b) => b.chargeId)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('Idempotent-Replayed') === 'true')).toHaveLength(
      9,
    );
    expect(store.captured('same')).toHaveLength(1);
  });

  it('answers 422 when a key is reused with a different amount, keeping the first charge', async () => {
    const { charge, store } = setup();
    await charge('k', card('tok_visa', 1_000));
    const res = await charge('k', card('tok_visa', 2_000));
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ error: 'idempotency key reused with a different request' });
    expect(store.charges).toEqual([
      expect.objectContaining({ amountCents: 1_000, status: 'captured' }),
    ]);
  });

  it('answers 422 when a key is reused with a different card', async () => {
    const { charge } = setup();
    await charge('k', card('tok_visa'));
    expect((await charge('k', card('tok_mastercard'))).status).toBe(422);
  });

  it('declines the configured declined card with 402, and replays the decline', async () => {
    const { charge, store } = setup();
    const first = await charge('k', card('tok_declined'));
    expect(first.status).toBe(402);
    expect(await first.json()).toEqual({ status: 'declined', reason: 'card_declined' });

    const again = await charge('k', card('tok_declined'));
    expect(again.status).toBe(402);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(store.charges).toHaveLength(1);
    expect(store.captured('k')).toHaveLength(0);
  });

  it('declines whichever card the fault settings name', async () => {
    const { charge, putFaults } = setup();
    expect((await putFaults({ declinedCard: 'tok_amex' })).status).toBe(200);
    expect((await charge('k1', card('tok_amex'))).status).toBe(402);
    expect((await charge('k2', card('tok_declined'))).status).toBe(201);
  });
});

describe('POST /refunds', () => {
  it('validates its input', async () => {
    const { refund, store } = setup();
    const noKey = await refund(undefined, 'charge-key');
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toMatchObject({ field: 'Idempotency-Key' });
    const noChargeKey = await refund('r', undefined);
    expect(noChargeKey.status).toBe(400);
    expect(await noChargeKey.json()).toMatchObject({ field: 'chargeIdempotencyKey' });
    expect(store.refunds).toHaveLength(0);
  });

  it('refunds a captured charge once, whatever refund key repeats it', async () => {
    const { charge, refund, store } = setup();
    const { chargeId } = (await (await charge('charge-key', card('tok_visa', 700))).json()) as {
      chargeId: string;
    };

    const first = await refund('refund-key', 'charge-key');
    expect(first.status).toBe(201);
    const body = (await first.json()) as { refundId: string };
    expect(body).toEqual({
      status: 'refunded',
      refundId: expect.stringMatching(/^re_/),
      chargeId,
      amountCents: 700,
    });

    const again = await refund('refund-key', 'charge-key');
    expect(again.status).toBe(201);
    expect(again.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await again.json()).toEqual(body);

    const otherKey = await refund('another-refund-key', 'charge-key');
    expect(await otherKey.json()).toMatchObject({ refundId: body.refundId });
    expect(store.refunds).toHaveLength(1);
  });

  it('voids a key nothing was charged under, so a late charge with it is declined and captures nothing', async () => {
    const { charge, refund, store } = setup();
    const voided = await refund('refund-key', 'late-key');
    expect(voided.status).toBe(200);
    expect(await voided.json()).toEqual({ status: 'voided' });

    const late = await charge('late-key', card());
    expect(late.status).toBe(402);
    expect(await late.json()).toEqual({ status: 'declined', reason: 'voided' });
    expect(store.captured('late-key')).toHaveLength(0);

    const repeated = await refund('refund-key', 'late-key');
    expect(repeated.status).toBe(200);
    expect(await repeated.json()).toEqual({ status: 'voided' });
  });

  it('voids the key of a declined charge', async () => {
    const { charge, refund } = setup();
    await charge('k', card('tok_declined'));
    const res = await refund('r', 'k');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'voided' });
  });

  it('answers 422 when a refund key is reused for another charge key', async () => {
    const { refund } = setup();
    await refund('r', 'charge-a');
    expect((await refund('r', 'charge-b')).status).toBe(422);
  });
});

describe('reading charges', () => {
  it('finds a charge by idempotency key and by id, and 404s otherwise', async () => {
    const { app, charge } = setup();
    const { chargeId } = (await (await charge('k', card())).json()) as { chargeId: string };

    const byKey = await app.request('/charges?idempotencyKey=k');
    expect(byKey.status).toBe(200);
    expect(await byKey.json()).toMatchObject({ chargeId, idempotencyKey: 'k', status: 'captured' });
    expect(await (await app.request(`/charges/${chargeId}`)).json()).toMatchObject({ chargeId });

    expect((await app.request('/charges?idempotencyKey=nope')).status).toBe(404);
    expect((await app.request('/charges/ch_nope')).status).toBe(404);
    expect((await app.request('/charges')).status).toBe(400);
  });

  it('lists every charge and refund in the ledger', async () => {
    const { app, charge, refund } = setup();
    await charge('a', card());
    await charge('b', card('tok_declined'));
    await refund('r', 'a');
    const ledger = (await (await app.request('/ledger')).json()) as {
      charges: unknown[];
      refunds: unknown[];
    };
    expect(ledger.charges).toHaveLength(2);
    expect(ledger.refunds).toEqual([
      expect.objectContaining({ chargeIdempotencyKey: 'a', status: 'refunded' }),
    ]);
  });
});

describe('GET /health', () => {
  it('is 200 while the database answers and 503 when it does not', async () => {
    const { app, store } = setup();
    expect((await app.request('/health')).status).toBe(200);
    store.healthy = false;
    const res = await app.request('/health');
    expect(res.status).toBe(503);
  });
});

describe('faults', () => {
  it('reads and partially updates the settings, rejecting bad values', async () => {
    const { app, putFaults } = setup();
    expect(await (await app.request('/admin/faults')).json()).toEqual(NO_FAULTS);

    const updated = await putFaults({ latencyMs: 25 });
    expect(await updated.json()).toEqual({ ...NO_FAULTS, latencyMs: 25 });

    for (const bad of [
      { errorRate: 1.5 },
      { latencyMs: -1 },
      { dropResponseRate: 'often' },
      { unknown: 1 },
    ]) {
      const res = await putFaults(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect(await (await app.request('/admin/faults')).json()).toEqual({
      ...NO_FAULTS,
      latencyMs: 25,
    });
  });

  it('answers 503 before processing anything when errorRate is 1', async () => {
    const { charge, refund, putFaults, store } = setup();
    await putFaults({ errorRate: 1 });
    expect((await charge('k', card())).status).toBe(503);
    expect((await refund('r', 'k')).status).toBe(503);
    expect(store.charges).toHaveLength(0);
    expect(store.refunds).toHaveLength(0);
  });

  it('uses the injected randomness to pick the requests that fail', async () => {
    const draws = [0.2, 0.8];
    const { charge } = setup({
      faults: { errorRate: 0.5 },
      options: { random: () => draws.shift() ?? 0 },
    });
    expect((await charge('a', card())).status).toBe(503);
    expect((await charge('b', card())).status).toBe(201);
  });

  it('fails tok_flaky twice per key with 503, then charges once', async () => {
    const { charge, store } = setup();
    const statuses = [];
    for (let attempt = 0; attempt < 4; attempt++)
      statuses.push((await charge('flaky', card('tok_flaky'))).status);
    expect(statuses).toEqual([503, 503, 201, 201]);
    expect(store.captured('flaky')).toHaveLength(1);
    expect((await charge('other-flaky', card('tok_flaky'))).status).toBe(503);
  });

  it('captures tok_drop_response, destroys the socket on the first attempt, and replays the charge on retry', async () => {
    const { charge, store } = setup();
    let destroyed = 0;
    const env: NodeBindings = { incoming: { socket: { destroy: () => void destroyed++ } } };

    await charge('drop', card('tok_drop_response'), env);
    expect(destroyed).toBe(1);
    expect(store.captured('drop')).toHaveLength(1);

    const retry = await charge('drop', card('tok_drop_response'), env);
    expect(destroyed).toBe(1);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await retry.json()).toMatchObject({ chargeId: store.captured('drop')[0]?.chargeId });
  });

  it('answers 500 instead of dropping when there is no socket to destroy', async () => {
    const { charge, store } = setup();
    expect((await charge('drop', card('tok_drop_response'))).status).toBe(500);
    expect(store.captured('drop')).toHaveLength(1);
  });

  it('drops processed responses at dropResponseRate', async () => {
    const { charge, store } = setup({ faults: { dropResponseRate: 1 } });
    expect((await charge('k', card())).status).toBe(500);
    expect(store.captured('k')).toHaveLength(1);
  });

  it('adds the configured latency, and 3 s more for tok_slow', async () => {
    const { charge, sleeps } = setup({ faults: { latencyMs: 40 } });
    await charge('a', card());
    await charge('b', card('tok_slow'));
    expect(sleeps).toEqual([40, 3_040]);
  });
});
