import type { MetricGauge, MetricMeter, MetricTags } from '@temporalio/common';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { withCircuitBreaker } from '../../activities/payments/payment.breaker.js';
import type { ChargeRequest, PaymentGateway } from '../../activities/payments/payment.port.js';
import { exportBreakerState } from '../../workers/temporal/breaker-metrics.js';

/** A meter that keeps each gauge's last value per tag set, as Prometheus would show it. */
function recordingMeter() {
  const values = new Map<string, number>();
  const gauge = (name: string): MetricGauge => ({
    name,
    kind: 'gauge',
    valueType: 'int',
    set(value: number, tags: MetricTags = {}) {
      values.set(`${name}${JSON.stringify(tags)}`, value);
    },
    withTags: () => gauge(name),
  });
  const meter = {
    createGauge: (name: string) => gauge(name),
    createCounter: () => {
      throw new Error('no counters here');
    },
    createHistogram: () => {
      throw new Error('no histograms here');
    },
    withTags: () => meter,
  } as MetricMeter;
  const state = (s: string) => values.get(`payment_circuit_breaker_state{"state":"${s}"}`);
  return { meter, state };
}

const CHARGE: ChargeRequest = {
  idempotencyKey: 'order:k:charge',
  amountCents: 100,
  cardToken: 'tok_visa',
  customerId: 'customer-42',
};

/** A gateway that is down until `up` is set. */
function switchableGateway() {
  const gateway: PaymentGateway & { up: boolean } = {
    up: false,
    charge: async () => {
      if (!gateway.up) throw new Error('gateway answered 503');
      return { kind: 'captured', chargeId: 'ch_1', amountCents: 100 };
    },
    refund: async () => {
      throw new Error('not used');
    },
  };
  return gateway;
}

describe('payment circuit breaker state on the worker metrics', () => {
  it('starts closed, flips to open when consecutive failures open the circuit, and back once a probe succeeds', async () => {
    const gateway = switchableGateway();
    const payments = withCircuitBreaker(gateway, {
      failures: 2,
      halfOpenAfterMs: 20,
      logger: pino({ level: 'silent' }),
    });
    const { meter, state } = recordingMeter();
    const stop = exportBreakerState(payments.breaker, meter);
    const states = () => [state('closed'), state('half-open'), state('open')];
    expect(states()).toEqual([1, 0, 0]);

    await expect(payments.charge(CHARGE)).rejects.toThrow('503');
    expect(states()).toEqual([1, 0, 0]);
    await expect(payments.charge(CHARGE)).rejects.toThrow('503');
    expect(states()).toEqual([0, 0, 1]);

    gateway.up = true;
    await new Promise((resolve) => setTimeout(resolve, 40));
    await expect(payments.charge(CHARGE)).resolves.toMatchObject({ kind: 'captured' });
    expect(states()).toEqual([1, 0, 0]);

    // Stopped: the circuit opens again, the gauge no longer follows.
    stop();
    gateway.up = false;
    await expect(payments.charge(CHARGE)).rejects.toThrow('503');
    await expect(payments.charge(CHARGE)).rejects.toThrow('503');
    expect(payments.breaker.state()).toBe('open');
    expect(states()).toEqual([1, 0, 0]);
  });
});
