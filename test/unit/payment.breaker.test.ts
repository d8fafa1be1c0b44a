import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PaymentGatewayUnavailableError,
  withCircuitBreaker,
  type BreakerState,
  type CircuitBreakerOptions,
} from '../../activities/payments/payment.breaker.js';
import {
  createHttpPaymentGateway,
  PaymentGatewayRejectedError,
} from '../../activities/payments/payment.gateway.js';
import type {
  ChargeOutcome,
  ChargeRequest,
  PaymentGateway,
  RefundOutcome,
  RefundRequest,
} from '../../activities/payments/payment.port.js';
import { createFaults } from '../../payment-gateway/faults.js';
import { createGatewayApp } from '../../payment-gateway/gateway.app.js';
import type { ChargeRecord, GatewayStore } from '../../payment-gateway/gateway.store.js';

type Answer = 'captured' | 'declined' | 'rejected' | 'transient';

const CHARGE: ChargeRequest = {
  idempotencyKey: 'order:1:charge',
  amountCents: 1_250,
  cardToken: 'tok_visa',
  customerId: 'cust-1',
};
const REFUND: RefundRequest = {
  idempotencyKey: 'order:1:refund',
  chargeIdempotencyKey: 'order:1:charge',
};

/** A gateway that gives `answer` to every call, as the HTTP gateway would report it. */
class FakeGateway implements PaymentGateway {
  answer: Answer = 'captured';
  calls = 0;
  /** When set, the next call waits for it (to hold a probe in flight). */
  gate: Promise<void> | undefined;

  async charge(): Promise<ChargeOutcome> {
    this.calls++;
    const gate = this.gate;
    this.gate = undefined;
    if (gate) await gate;
    switch (this.answer) {
      case 'captured':
        return { kind: 'captured', chargeId: 'ch_1', amountCents: CHARGE.amountCents };
      case 'declined':
        return { kind: 'declined', reason: 'card_declined' };
      case 'rejected':
        throw new PaymentGatewayRejectedError(400, { error: 'bad' }, 'POST /charges');
      case 'transient':
        throw new Error('payment gateway POST /charges failed: HTTP 503 unavailable');
    }
  }

  async refund(): Promise<RefundOutcome> {
    await this.charge();
    return { kind: 'voided' };
  }
}

interface LogLine {
  level: 'info' | 'warn';
  message: string;
  fields?: object;
}

function recordingLogger(): { lines: LogLine[]; logger: CircuitBreakerOptions['logger'] } {
  const lines: LogLine[] = [];
  const log =
    (level: LogLine['level']) =>
    (first: unknown, message?: unknown): void => {
      lines.push(
        typeof first === 'string'
          ? { level, message: first }
          : { level, message: String(message ?? ''), fields: first as object },
      );
    };
  return { lines, logger: { info: log('info'), warn: log('warn') } };
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

const FAILURES = 3;
const HALF_OPEN_MS = 5_000;

function setup() {
  const fake = new FakeGateway();
  const { lines, logger } = recordingLogger();
  const payments = withCircuitBreaker(fake, {
    failures: FAILURES,
    halfOpenAfterMs: HALF_OPEN_MS,
    logger,
  });
  const states: BreakerState[] = [];
  payments.breaker.onStateChange((state) => states.push(state));

  async function fail(times: number) {
    fake.answer = 'transient';
    for (let i = 0; i < times; i++) {
      await expect(payments.charge(CHARGE)).rejects.toThrow('HTTP 503');
    }
  }
  return { fake, payments, states, lines, fail };
}

describe('withCircuitBreaker', () => {
  // cockatiel reads Date.now(); timers stay real.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes outcomes and errors through while closed', async () => {
    const { fake, payments } = setup();
    await expect(payments.charge(CHARGE)).resolves.toMatchObject({ kind: 'captured' });
    await expect(payments.refund(REFUND)).resolves.toEqual({ kind: 'voided' });
    fake.answer = 'rejected';
    await expect(payments.charge(CHARGE)).rejects.toBeInstanceOf(PaymentGatewayRejectedError);
    expect(payments.breaker.state()).toBe('closed');
  });

  it('opens after N consecutive transient failures, and warns once', async () => {
    const { payments, states, lines, fail } = setup();
    await fail(FAILURES - 1);
    expect(payments.breaker.state()).toBe('closed');
    await fail(1);
    expect(payments.breaker.state()).toBe('open');
    expect(states).toEqual(['open']);
    const warnings = lines.filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toContain('circuit opened');
    expect(warnings[0]?.fields).toMatchObject({ halfOpenAt: '2026-01-01T00:00:05.000Z' });
  });

  it('fails fast while open, charges and refunds alike, without calling the gateway', async () => {
    const { fake, payments, fail } = setup();
    await fail(FAILURES);
    const callsWhenOpened = fake.calls;
    fake.answer = 'captured';

    const error = await rejectionOf(payments.charge(CHARGE));
    expect(error).toBeInstanceOf(PaymentGatewayUnavailableError);
    expect(error.name).toBe('PaymentGatewayUnavailableError');
    expect(error.message).toContain('circuit is open');
    expect(error.message).toContain('half-opens at 2026-01-01T00:00:05.000Z (in 5000 ms)');
    expect(error.message).toContain('HTTP 503');
    expect((error as PaymentGatewayUnavailableError).halfOpenAt).toEqual(
      new Date('2026-01-01T00:00:05.000Z'),
    );
    await expect(payments.refund(REFUND)).rejects.toBeInstanceOf(PaymentGatewayUnavailableError);

    vi.setSystemTime(new Date('2026-01-01T00:00:04.999Z'));
    await expect(payments.charge(CHARGE)).rejects.toThrow('(in 1 ms)');
    expect(fake.calls).toBe(callsWhenOpened);
  });

  it('does not count declines, which reset the streak like any answer', async () => {
    const { fake, payments, fail } = setup();
    await fail(FAILURES - 1);
    fake.answer = 'declined';
    await expect(payments.charge(CHARGE)).resolves.toMatchObject({ kind: 'declined' });
    await fail(FAILURES - 1);
    expect(payments.breaker.state()).toBe('closed');
  });

  it('does not count rejections: they pass through and leave the streak as it was', async () => {
    const { fake, payments, fail } = setup();
    await fail(FAILURES - 1);
    fake.answer = 'rejected';
    for (let i = 0; i < FAILURES * 2; i++) {
      await expect(payments.charge(CHARGE)).rejects.toBeInstanceOf(PaymentGatewayRejectedError);
    }
    expect(payments.breaker.state()).toBe('closed');
    await fail(1);
    expect(payments.breaker.state()).toBe('open');
  });

  it('lets one probe through after the half-open delay; its success closes the circuit', async () => {
    const { fake, payments, states, lines, fail } = setup();
    await fail(FAILURES);
    fake.answer = 'captured';
    vi.setSystemTime(new Date('2026-01-01T00:00:05.000Z'));
    // The state moves on calls, not on a timer: still open until the probe is made.
    expect(payments.breaker.state()).toBe('open');

    await expect(payments.charge(CHARGE)).resolves.toMatchObject({ kind: 'captured' });
    expect(payments.breaker.state()).toBe('closed');
    expect(states).toEqual(['open', 'half-open', 'closed']);
    expect(lines.at(-1)).toMatchObject({
      level: 'info',
      message: 'payment gateway circuit closed',
    });
    // Closed again means a fresh streak.
    await fail(FAILURES - 1);
    expect(payments.breaker.state()).toBe('closed');
  });

  it('reopens when the probe fails, for another half-open delay', async () => {
    const { fake, payments, states, lines, fail } = setup();
    await fail(FAILURES);
    vi.setSystemTime(new Date('2026-01-01T00:00:05.000Z'));
    const callsBeforeProbe = fake.calls;

    // The probe's own error, not the breaker's.
    await expect(payments.charge(CHARGE)).rejects.toThrow('HTTP 503');
    expect(fake.calls).toBe(callsBeforeProbe + 1);
    expect(payments.breaker.state()).toBe('open');
    expect(states).toEqual(['open', 'half-open', 'open']);
    expect(lines.at(-1)).toMatchObject({ level: 'warn', fields: { probeFailed: true } });

    fake.answer = 'captured';
    await expect(payments.charge(CHARGE)).rejects.toThrow('half-opens at 2026-01-01T00:00:10.000Z');
    expect(fake.calls).toBe(callsBeforeProbe + 1);
  });

  it('closes when the probe is rejected: the gateway answered', async () => {
    const { fake, payments, fail } = setup();
    await fail(FAILURES);
    vi.setSystemTime(new Date('2026-01-01T00:00:05.000Z'));
    fake.answer = 'rejected';
    await expect(payments.charge(CHARGE)).rejects.toBeInstanceOf(PaymentGatewayRejectedError);
    expect(payments.breaker.state()).toBe('closed');
  });

  it('holds calls made during the probe until it is answered, then sends them', async () => {
    const { fake, payments, fail } = setup();
    await fail(FAILURES);
    vi.setSystemTime(new Date('2026-01-01T00:00:05.000Z'));
    fake.answer = 'captured';
    let answerProbe = () => {};
    fake.gate = new Promise((resolve) => (answerProbe = resolve));

    const probe = payments.charge(CHARGE);
    const waiting = payments.charge(CHARGE);
    await delay(10);
    expect(payments.breaker.state()).toBe('half-open');
    expect(fake.calls).toBe(FAILURES + 1);

    answerProbe();
    await expect(probe).resolves.toMatchObject({ kind: 'captured' });
    await expect(waiting).resolves.toMatchObject({ kind: 'captured' });
    expect(fake.calls).toBe(FAILURES + 2);
  });

  it('keeps working when a state listener throws, and unsubscribes', async () => {
    const { payments, lines, fail } = setup();
    const seen: BreakerState[] = [];
    const unsubscribe = payments.breaker.onStateChange((state) => {
      seen.push(state);
      throw new Error('listener bug');
    });
    await fail(FAILURES);
    expect(payments.breaker.state()).toBe('open');
    expect(seen).toEqual(['open']);
    expect(lines.some((line) => line.message.includes('listener failed'))).toBe(true);

    unsubscribe();
    vi.setSystemTime(new Date('2026-01-01T00:00:05.000Z'));
    await fail(1);
    expect(seen).toEqual(['open']);
  });
});

/** Only what a charge needs; each call is atomic (no await inside). */
function memoryStore(): GatewayStore & { charges: ChargeRecord[] } {
  const charges: ChargeRecord[] = [];
  const unused = () => Promise.reject(new Error('not used by this test'));
  return {
    charges,
    async recordCharge(charge) {
      const existing = charges.find((c) => c.idempotencyKey === charge.idempotencyKey);
      if (existing) return { record: existing, replayed: true };
      const record: ChargeRecord = {
        chargeId: `ch_${randomUUID()}`,
        idempotencyKey: charge.idempotencyKey,
        customerId: charge.customerId,
        cardToken: charge.cardToken,
        amountCents: charge.amountCents,
        status: charge.declineReason === undefined ? 'captured' : 'declined',
        declineReason: charge.declineReason ?? null,
        createdAt: new Date().toISOString(),
      };
      charges.push(record);
      return { record, replayed: false };
    },
    recordRefund: unused,
    findChargeByKey: unused,
    findChargeById: unused,
    ledger: unused,
    ping: async () => {},
  };
}

describe('withCircuitBreaker against the payment gateway app', () => {
  it('opens on injected 503s and closes on the first probe once the gateway recovers', async () => {
    const store = memoryStore();
    const app = createGatewayApp({
      store,
      faults: createFaults({
        errorRate: 0,
        latencyMs: 0,
        declinedCard: 'tok_declined',
        dropResponseRate: 0,
      }),
    });
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const setFaults = async (patch: object) => {
        const response = await fetch(`${baseUrl}/admin/faults`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(patch),
        });
        expect(response.status).toBe(200);
      };
      let requests = 0;
      const payments = withCircuitBreaker(
        createHttpPaymentGateway({
          baseUrl,
          timeoutMs: 2_000,
          fetch: (input, init) => {
            requests++;
            return fetch(input, init);
          },
        }),
        { failures: 3, halfOpenAfterMs: 300, logger: recordingLogger().logger },
      );
      const states: BreakerState[] = [];
      payments.breaker.onStateChange((state) => states.push(state));
      const charge = (n: number) =>
        payments.charge({ ...CHARGE, idempotencyKey: `breaker-test:${n}:charge` });

      await setFaults({ errorRate: 1 });
      for (let n = 1; n <= 3; n++) await expect(charge(n)).rejects.toThrow('HTTP 503');
      expect(payments.breaker.state()).toBe('open');

      const unavailable = await rejectionOf(charge(4));
      expect(unavailable).toBeInstanceOf(PaymentGatewayUnavailableError);
      expect(requests).toBe(3);

      await setFaults({ errorRate: 0 });
      const { halfOpenAt } = unavailable as PaymentGatewayUnavailableError;
      await delay(Math.max(0, halfOpenAt.getTime() - Date.now()) + 20);
      await expect(charge(5)).resolves.toMatchObject({ kind: 'captured' });
      expect(payments.breaker.state()).toBe('closed');
      expect(states).toEqual(['open', 'half-open', 'closed']);
      expect(requests).toBe(4);
      expect(store.charges.map((c) => c.idempotencyKey)).toEqual(['breaker-test:5:charge']);
    } finally {
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    }
  });
});
