import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorType } from '../../workflows/contracts/errors.js';
import { cancelOrderUpdate, orderStatusQuery } from '../../workflows/orders/order.messages.js';
import { orderWorkflowId } from '../../workflows/contracts/names.js';
import type { OrderSagaInput } from '../../workflows/orders/order.types.js';
import { orderSaga } from '../../workflows/orders/order-saga.js';
import {
  fakeOrderActivities,
  gate,
  type FakeOrderActivities,
} from '../support/fake-order-activities.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';
import {
  createTestWorker,
  registerSearchAttributes,
  workflowBundle,
} from '../support/workflow-worker.js';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  [env] = await Promise.all([createTimeSkippingEnv(), workflowBundle()]);
  await registerSearchAttributes(env);
});

afterAll(async () => {
  await env?.teardown();
});

function orderInput(overrides: Partial<OrderSagaInput> = {}): OrderSagaInput {
  return {
    orderId: randomUUID(),
    customerId: 'customer-1',
    items: [{ sku: 'SKU-1', quantity: 2 }],
    paymentToken: 'tok_visa',
    ...overrides,
  };
}

/** Runs the saga to its end on a fresh worker with the given fakes; returns the outcome. */
async function runSaga(activities: FakeOrderActivities, input = orderInput()) {
  const taskQueue = `test-${randomUUID()}`;
  const worker = await createTestWorker(env, taskQueue, activities);
  return worker.runUntil(
    env.client.workflow
      .execute(orderSaga, { taskQueue, workflowId: orderWorkflowId(input.orderId), args: [input] })
      .then((result) => ({ result, error: undefined }))
      .catch((error: unknown) => ({ result: undefined, error })),
  );
}

const failureType = (error: unknown) =>
  error instanceof WorkflowFailedError && error.cause instanceof ApplicationFailure
    ? error.cause.type
    : undefined;

const closeCall = (calls: { name: string; input: unknown }[]) =>
  calls.find((c) => c.name === 'closeOrder')?.input;

describe('orderSaga', () => {
  it('reserves, charges, confirms and notifies on the happy path', async () => {
    const fake = fakeOrderActivities();
    const input = orderInput();
    const { result } = await runSaga(fake.activities, input);
    expect(result).toEqual({ orderId: input.orderId, status: 'CONFIRMED', chargeId: 'ch_fake' });
    expect(fake.names()).toEqual([
      'createOrder',
      'reserveInventory',
      'chargePayment',
      'confirmOrder',
      'notifyCustomer',
    ]);
    const charge = fake.calls.find((c) => c.name === 'chargePayment')?.input;
    expect(charge).toMatchObject({
      amountCents: 2_500,
      cardToken: 'tok_visa',
      idempotencyKey: `order:${input.orderId}:charge`,
    });
  });

  it('fails an invalid order without compensating anything', async () => {
    const fake = fakeOrderActivities({
      createOrder: async () => {
        throw ApplicationFailure.nonRetryable('unknown SKU(s): NOPE', ErrorType.InvalidOrder);
      },
    });
    const { error } = await runSaga(fake.activities);
    expect(failureType(error)).toBe(ErrorType.InvalidOrder);
    expect(fake.names()).toEqual(['createOrder', 'closeOrder']);
    expect(closeCall(fake.calls)).toMatchObject({
      status: 'FAILED',
      reason: 'unknown SKU(s): NOPE',
    });
  });

  it('releases inventory when a reservation fails out of stock (compensation registered before the step)', async () => {
    const fake = fakeOrderActivities({
      reserveInventory: async () => {
        throw ApplicationFailure.nonRetryable('out of stock: SKU-1', ErrorType.OutOfStock);
      },
    });
    const { error } = await runSaga(fake.activities);
    expect(failureType(error)).toBe(ErrorType.OutOfStock);
    expect(fake.names()).toEqual([
      'createOrder',
      'reserveInventory',
      'releaseInventory',
      'closeOrder',
    ]);
  });

  it('refunds, then releases, when the card is declined', async () => {
    const fake = fakeOrderActivities({
      chargePayment: async () => {
        throw ApplicationFailure.nonRetryable(
          'payment declined: card_declined',
          ErrorType.PaymentDeclined,
        );
      },
    });
    const input = orderInput();
    const { error } = await runSaga(fake.activities, input);
    expect(failureType(error)).toBe(ErrorType.PaymentDeclined);
    expect(fake.names()).toEqual([
      'createOrder',
      'reserveInventory',
      'chargePayment',
      'refundPayment',
      'releaseInventory',
      'closeOrder',
    ]);
    expect(fake.calls.find((c) => c.name === 'refundPayment')?.input).toEqual({
      orderId: input.orderId,
      idempotencyKey: `order:${input.orderId}:refund`,
      chargeIdempotencyKey: `order:${input.orderId}:charge`,
    });
    expect(closeCall(fake.calls)).toMatchObject({
      status: 'FAILED',
      reason: 'payment declined: card_declined',
    });
  });

  it('undoes payment and stock in reverse order when confirmation fails for good', async () => {
    const fake = fakeOrderActivities({
      confirmOrder: async () => {
        throw ApplicationFailure.nonRetryable('order row vanished', 'ConfirmFailed');
      },
    });
    const { error } = await runSaga(fake.activities);
    expect(failureType(error)).toBe('ConfirmFailed');
    expect(fake.names()).toEqual([
      'createOrder',
      'reserveInventory',
      'chargePayment',
      'confirmOrder',
      'refundPayment',
      'releaseInventory',
      'closeOrder',
    ]);
  });

  it('keeps a confirmed order when notifying the customer fails', async () => {
    const fake = fakeOrderActivities({
      notifyCustomer: async () => {
        throw new Error('mail server down');
      },
    });
    const { result } = await runSaga(fake.activities);
    expect(result?.status).toBe('CONFIRMED');
    const names = fake.names();
    expect(names.filter((n) => n === 'notifyCustomer')).toHaveLength(5); // retried, then given up
    expect(names).not.toContain('refundPayment');
    expect(names).not.toContain('closeOrder');
  });

  it('retries transient failures until the step succeeds', async () => {
    let attempts = 0;
    const fake = fakeOrderActivities({
      reserveInventory: async () => {
        attempts += 1;
        if (attempts < 3) throw new Error('connection reset');
      },
    });
    const { result } = await runSaga(fake.activities);
    expect(result?.status).toBe('CONFIRMED');
    expect(attempts).toBe(3);
  });

  it('compensates when payment cannot complete before the deadline', async () => {
    const fake = fakeOrderActivities({
      chargePayment: async () => {
        throw new Error('gateway unavailable');
      },
    });
    const { error } = await runSaga(fake.activities, orderInput({ paymentDeadlineSeconds: 30 }));
    expect(failureType(error)).toBe(ErrorType.PaymentDeadlineExceeded);
    expect(fake.names().slice(-3)).toEqual(['refundPayment', 'releaseInventory', 'closeOrder']);
    expect(fake.names().filter((n) => n === 'chargePayment').length).toBeGreaterThan(1);
  });

  it('fails the saga, not silently, when a compensation fails for good — after running the others', async () => {
    const fake = fakeOrderActivities({
      chargePayment: async () => {
        throw ApplicationFailure.nonRetryable('declined', ErrorType.PaymentDeclined);
      },
      refundPayment: async () => {
        throw ApplicationFailure.nonRetryable('refund refused', 'RefundRefused');
      },
    });
    const { error } = await runSaga(fake.activities);
    expect(failureType(error)).toBe(ErrorType.CompensationFailed);
    expect(fake.names()).toEqual([
      'createOrder',
      'reserveInventory',
      'chargePayment',
      'refundPayment',
      'releaseInventory',
    ]);
  });

  describe('cancelOrder', () => {
    async function cancelDuring(
      step: 'reserveInventory' | 'chargePayment',
      extra: Partial<FakeOrderActivities> = {},
    ) {
      const blocked = gate();
      const fake = fakeOrderActivities({
        ...extra,
        [step]: async () => {
          await blocked.pass();
          return step === 'chargePayment' ? { chargeId: 'ch_fake' } : undefined;
        },
      });
      const input = orderInput();
      const taskQueue = `test-${randomUUID()}`;
      const worker = await createTestWorker(env, taskQueue, fake.activities);
      const outcome = await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(orderSaga, {
          taskQueue,
          workflowId: orderWorkflowId(input.orderId),
          args: [input],
        });
        await blocked.reached;
        const accepted = await handle.executeUpdate(cancelOrderUpdate, {
          args: [{ reason: 'changed my mind' }],
        });
        blocked.open();
        const result = await handle.result();
        const state = await handle.query(orderStatusQuery);
        return { accepted, result, state };
      });
      return { ...outcome, fake };
    }

    it('while reserving: the reservation finishes, then is released', async () => {
      const { accepted, result, state, fake } = await cancelDuring('reserveInventory');
      expect(accepted).toEqual({ accepted: true });
      expect(result.status).toBe('CANCELLED');
      expect(fake.names()).toEqual([
        'createOrder',
        'reserveInventory',
        'releaseInventory',
        'closeOrder',
      ]);
      expect(closeCall(fake.calls)).toMatchObject({ status: 'CANCELLED' });
      expect(state).toMatchObject({ status: 'CANCELLED', compensations: ['release-inventory'] });
    });

    it('while charging: refunds and releases', async () => {
      const { result, state, fake } = await cancelDuring('chargePayment');
      expect(result.status).toBe('CANCELLED');
      expect(fake.names()).toEqual([
        'createOrder',
        'reserveInventory',
        'chargePayment',
        'refundPayment',
        'releaseInventory',
        'closeOrder',
      ]);
      expect(state.compensations).toEqual(['refund', 'release-inventory']);
    });

    it('is rejected once the order is being confirmed', async () => {
      const blocked = gate();
      const fake = fakeOrderActivities({ confirmOrder: () => blocked.pass() });
      const input = orderInput();
      const taskQueue = `test-${randomUUID()}`;
      const worker = await createTestWorker(env, taskQueue, fake.activities);
      await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(orderSaga, {
          taskQueue,
          workflowId: orderWorkflowId(input.orderId),
          args: [input],
        });
        await blocked.reached;
        await expect(
          handle.executeUpdate(cancelOrderUpdate, { args: [{}] }),
        ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
        blocked.open();
        expect((await handle.result()).status).toBe('CONFIRMED');
      });
      expect(fake.names()).not.toContain('refundPayment');
    });
  });

  it('answers the orderStatus query with progress', async () => {
    const blocked = gate();
    const fake = fakeOrderActivities({
      chargePayment: async () => (await blocked.pass(), { chargeId: 'ch_q' }),
    });
    const input = orderInput();
    const taskQueue = `test-${randomUUID()}`;
    const worker = await createTestWorker(env, taskQueue, fake.activities);
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(orderSaga, {
        taskQueue,
        workflowId: orderWorkflowId(input.orderId),
        args: [input],
      });
      await blocked.reached;
      expect(await handle.query(orderStatusQuery)).toMatchObject({
        status: 'RESERVED',
        completedSteps: ['createOrder', 'reserveInventory'],
        totalCents: 2_500,
      });
      blocked.open();
      await handle.result();
      expect(await handle.query(orderStatusQuery)).toMatchObject({
        status: 'CONFIRMED',
        chargeId: 'ch_q',
        notified: true,
      });
    });
  });
});
