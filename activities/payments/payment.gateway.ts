import { z } from 'zod';
import type {
  ChargeOutcome,
  ChargeRequest,
  PaymentGateway,
  RefundOutcome,
  RefundRequest,
} from './payment.port.js';

/** The gateway refused the request itself (4xx other than 402): retrying the same request cannot help. */
export class PaymentGatewayRejectedError extends Error {
  override readonly name = 'PaymentGatewayRejectedError';

  constructor(
    readonly status: number,
    readonly body: unknown,
    operation: string,
  ) {
    super(`payment gateway rejected ${operation}: HTTP ${status} ${describe(body)}`);
  }
}

export interface HttpPaymentGatewayOptions {
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof globalThis.fetch;
}

const capturedSchema = z.object({
  status: z.literal('captured'),
  chargeId: z.string(),
  amountCents: z.number(),
});
const declinedSchema = z.object({ status: z.literal('declined'), reason: z.string() });
const refundedSchema = z.object({
  status: z.literal('refunded'),
  refundId: z.string(),
  chargeId: z.string(),
  amountCents: z.number(),
});
const voidedSchema = z.object({ status: z.literal('voided') });

interface Reply {
  status: number;
  body: unknown;
}

function describe(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function transportError(operation: string, timeoutMs: number, error: unknown): Error {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new Error(`payment gateway ${operation} timed out after ${timeoutMs} ms`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  const cause =
    error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return new Error(`payment gateway ${operation} failed: ${message}${cause}`, { cause: error });
}

const isTransientStatus = (status: number) => status >= 500 || status === 429 || status === 408;

/** Maps the statuses every operation shares; returns the reply only if the caller must interpret it. */
function checkReply(operation: string, reply: Reply, expected: readonly number[]): Reply {
  if (expected.includes(reply.status)) return reply;
  if (isTransientStatus(reply.status)) {
    throw new Error(
      `payment gateway ${operation} failed: HTTP ${reply.status} ${describe(reply.body)}`,
    );
  }
  if (reply.status >= 400)
    throw new PaymentGatewayRejectedError(reply.status, reply.body, operation);
  throw new Error(
    `payment gateway ${operation}: unexpected HTTP ${reply.status} ${describe(reply.body)}`,
  );
}

function parseReply<S extends z.ZodType>(operation: string, schema: S, reply: Reply): z.infer<S> {
  const parsed = schema.safeParse(reply.body);
  if (parsed.success) return parsed.data;
  throw new Error(
    `payment gateway ${operation}: unexpected body for HTTP ${reply.status}: ${describe(reply.body)}`,
  );
}

export function createHttpPaymentGateway({
  baseUrl,
  timeoutMs,
  fetch = globalThis.fetch,
}: HttpPaymentGatewayOptions): PaymentGateway {
  const root = baseUrl.replace(/\/+$/, '');

  async function post(path: string, idempotencyKey: string, payload: object): Promise<Reply> {
    const operation = `POST ${path}`;
    try {
      const response = await fetch(`${root}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Reading the body is inside the try: a connection reset or timeout can also strike here.
      return { status: response.status, body: parseBody(await response.text()) };
    } catch (error) {
      throw transportError(operation, timeoutMs, error);
    }
  }

  return {
    async charge({
      idempotencyKey,
      amountCents,
      cardToken,
      customerId,
    }: ChargeRequest): Promise<ChargeOutcome> {
      const operation = 'POST /charges';
      const reply = checkReply(
        operation,
        await post('/charges', idempotencyKey, { amountCents, cardToken, customerId }),
        [201, 402],
      );
      if (reply.status === 402) {
        const { reason } = parseReply(operation, declinedSchema, reply);
        return { kind: 'declined', reason };
      }
      const { chargeId, amountCents: captured } = parseReply(operation, capturedSchema, reply);
      return { kind: 'captured', chargeId, amountCents: captured };
    },

    async refund({ idempotencyKey, chargeIdempotencyKey }: RefundRequest): Promise<RefundOutcome> {
      const operation = 'POST /refunds';
      const reply = checkReply(
        operation,
        await post('/refunds', idempotencyKey, { chargeIdempotencyKey }),
        [200, 201],
      );
      if (reply.status === 200) {
        parseReply(operation, voidedSchema, reply);
        return { kind: 'voided' };
      }
      const { refundId, chargeId, amountCents } = parseReply(operation, refundedSchema, reply);
      return { kind: 'refunded', refundId, chargeId, amountCents };
    },
  };
}
