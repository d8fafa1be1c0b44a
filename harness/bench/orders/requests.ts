import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { Client, WorkflowStartOptions } from '@temporalio/client';
import { errorText } from '../../../platform/config/error-text.js';
import {
  CustomerIdAttribute,
  OrderStatusAttribute,
} from '../../../workflows/contracts/search-attributes.js';
import type { OrderSagaInput, OrderSagaResult } from '../../../workflows/orders/order.types.js';
import { benchOrderPrefix } from '../support/bench-data.js';
import { httpRequest, type HttpTarget } from '../support/http-client.js';
import type { Outcome } from '../support/load.js';
import type { OrdersRun } from './resources.js';

const REQUEST_TIMEOUT_MS = 45_000; // above the API's default wait (ORDER_WAIT_TIMEOUT_MS, 30 s)
export const RESULT_TIMEOUT_MS = 45_000;

/** The order id of request `seq` of a scenario: `bench-<run>-<scenario>-<seq>`. */
export const orderKey = (run: OrdersRun, scenario: string, seq: number) =>
  `${benchOrderPrefix(run.runId)}${scenario}-${seq}`;

export async function orderInput(
  run: OrdersRun,
  orderId: string,
  seq: number,
): Promise<OrderSagaInput> {
  return {
    orderId,
    customerId: `bench-customer-${seq % 100}`,
    items: [{ sku: await run.benchProduct(), quantity: 1 }],
    paymentToken: 'tok_visa',
    paymentDeadlineSeconds: 60,
  };
}

/** The start options the API uses (api/temporal-order-commands.ts), for a given queue and workflow type. */
export function orderStartOptions(
  input: OrderSagaInput,
  workflowId: string,
  taskQueue: string,
  eager: boolean,
): WorkflowStartOptions {
  return {
    taskQueue,
    workflowId,
    args: [input],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: OrderStatusAttribute, value: 'PENDING' },
      { key: CustomerIdAttribute, value: input.customerId },
    ],
    memo: {
      requestFingerprint: createHash('sha256').update(workflowId).digest('hex'),
      customerId: input.customerId,
      items: input.items,
    },
    staticSummary: `Order ${input.orderId}: 1 unit(s) of 1 SKU(s) for ${input.customerId}`,
    requestEagerStart: eager,
  };
}

/** Starts a workflow and waits for its result: ok once the order is CONFIRMED. */
export async function startAndAwait(
  client: Client,
  workflowType: string,
  options: WorkflowStartOptions,
): Promise<Outcome> {
  try {
    const handle = await client.workflow.start(workflowType, options);
    const result = (await client.withAbortSignal(AbortSignal.timeout(RESULT_TIMEOUT_MS), () =>
      handle.result(),
    )) as OrderSagaResult;
    return result.status === 'CONFIRMED'
      ? { ok: true, eager: handle.eagerlyStarted }
      : { ok: false, error: `ended ${result.status}` };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}

/** POST /orders?wait=true, as a shop would place an order: ok once the answer says CONFIRMED. */
export async function placeOrderOverRest(
  agent: http.Agent,
  target: HttpTarget,
  orderId: string,
  { customerId, items, paymentToken }: OrderSagaInput,
): Promise<Outcome> {
  try {
    const reply = await httpRequest(agent, target, 'POST', '/orders?wait=true', {
      headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
      body: JSON.stringify({ customerId, items, paymentToken }),
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    if (reply.status !== 200)
      return { ok: false, error: `HTTP ${reply.status} ${reply.body.slice(0, 80)}` };
    const { status } = JSON.parse(reply.body) as { status: string };
    return status === 'CONFIRMED' ? { ok: true } : { ok: false, error: `order ${status}` };
  } catch (error) {
    return { ok: false, error: errorText(error) };
  }
}
