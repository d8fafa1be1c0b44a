import { describe, expect, it } from 'vitest';
import {
  createHttpPaymentGateway,
  PaymentGatewayRejectedError,
} from '../../activities/payments/payment.gateway.js';

interface SentRequest {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: unknown;
  signal: AbortSignal | null | undefined;
}

/** A fetch that records what it was asked and answers with `respond`. */
function fakeFetch(respond: (request: SentRequest) => Response | Promise<Response>) {
  const sent: SentRequest[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request: SentRequest = {
      url: String(input),
      method: init?.method,
      headers: new Headers(init?.headers),
      body: JSON.parse(String(init?.body)),
      signal: init?.signal,
    };
    sent.push(request);
    return respond(request);
  };
  return { fetch, sent };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const CHARGE = {
  idempotencyKey: 'order:1:charge',
  amountCents: 1_250,
  cardToken: 'tok_visa',
  customerId: 'cust-1',
};
const REFUND = { idempotencyKey: 'order:1:refund', chargeIdempotencyKey: 'order:1:charge' };

function gatewayAnswering(
  respond: (request: SentRequest) => Response | Promise<Response>,
  timeoutMs = 1_000,
) {
  const fake = fakeFetch(respond);
  return {
    gateway: createHttpPaymentGateway({
      baseUrl: 'http://gateway.test/',
      timeoutMs,
      fetch: fake.fetch,
    }),
    sent: fake.sent,
  };
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

describe('createHttpPaymentGateway: charge', () => {
  it('posts the charge with its idempotency key and a timeout signal', async () => {
    const { gateway, sent } = gatewayAnswering(() =>
      json(201, { status: 'captured', chargeId: 'ch_1', amountCents: 1_250 }),
    );
    await gateway.charge(CHARGE);
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.url).toBe('http://gateway.test/charges');
    expect(request?.method).toBe('POST');
    expect(request?.headers.get('idempotency-key')).toBe('order:1:charge');
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(request?.body).toEqual({
      amountCents: 1_250,
      cardToken: 'tok_visa',
      customerId: 'cust-1',
    });
    expect(request?.signal).toBeInstanceOf(AbortSignal);
  });

  it('maps 201 to captured', async () => {
    const { gateway } = gatewayAnswering(() =>
      json(201, { status: 'captured', chargeId: 'ch_1', amountCents: 1_250 }),
    );
    expect(await gateway.charge(CHARGE)).toEqual({
      kind: 'captured',
      chargeId: 'ch_1',
      amountCents: 1_250,
    });
  });

  it('maps 402 to declined with the reason', async () => {
    const { gateway } = gatewayAnswering(() =>
      json(402, { status: 'declined', reason: 'card_declined' }),
    );
    expect(await gateway.charge(CHARGE)).toEqual({ kind: 'declined', reason: 'card_declined' });
  });

  it.each([500, 502, 503, 504, 429, 408])(
    'throws a plain, retryable Error on HTTP %i',
    async (status) => {
      const { gateway } = gatewayAnswering(() => json(status, { error: 'busy' }));
      const error = await rejectionOf(gateway.charge(CHARGE));
      expect(error).not.toBeInstanceOf(PaymentGatewayRejectedError);
      expect(error.message).toContain(`HTTP ${status}`);
    },
  );

  it.each([400, 404, 409, 422])(
    'throws PaymentGatewayRejectedError with status and body on HTTP %i',
    async (status) => {
      const body = { error: 'idempotency key reused with a different request' };
      const { gateway } = gatewayAnswering(() => json(status, body));
      const error = await rejectionOf(gateway.charge(CHARGE));
      expect(error).toBeInstanceOf(PaymentGatewayRejectedError);
      expect(error).toMatchObject({ status, body, name: 'PaymentGatewayRejectedError' });
      expect(error.message).toContain('idempotency key reused');
    },
  );

  it('throws a plain Error when the connection fails', async () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const { gateway } = gatewayAnswering(() => {
      throw new TypeError('fetch failed', { cause: reset });
    });
    const error = await rejectionOf(gateway.charge(CHARGE));
    expect(error).not.toBeInstanceOf(PaymentGatewayRejectedError);
    expect(error.message).toMatch(/POST \/charges failed: fetch failed \(other side closed\)/);
  });

  it('throws a plain Error when the gateway does not answer in time', async () => {
    const { gateway } = gatewayAnswering(
      ({ signal }) =>
        new Promise<Response>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason));
        }),
      50,
    );
    const error = await rejectionOf(gateway.charge(CHARGE));
    expect(error).not.toBeInstanceOf(PaymentGatewayRejectedError);
    expect(error.message).toBe('payment gateway POST /charges timed out after 50 ms');
  });

  it('throws a plain Error when the body breaks off after the status line', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.error(new TypeError('terminated'));
      },
    });
    const { gateway } = gatewayAnswering(() => new Response(body, { status: 201 }));
    const error = await rejectionOf(gateway.charge(CHARGE));
    expect(error).not.toBeInstanceOf(PaymentGatewayRejectedError);
    expect(error.message).toContain('POST /charges failed');
  });

  it('throws a plain Error on a success status with a body it does not understand', async () => {
    const { gateway } = gatewayAnswering(() => new Response('<html>proxy</html>', { status: 201 }));
    const error = await rejectionOf(gateway.charge(CHARGE));
    expect(error).not.toBeInstanceOf(PaymentGatewayRejectedError);
    expect(error.message).toContain('unexpected body');
  });
});

describe('createHttpPaymentGateway: refund', () => {
  it('posts the refund with its own idempotency key', async () => {
    const { gateway, sent } = gatewayAnswering(() => json(200, { status: 'voided' }));
    await gateway.refund(REFUND);
    expect(sent[0]?.url).toBe('http://gateway.test/refunds');
    expect(sent[0]?.headers.get('idempotency-key')).toBe('order:1:refund');
    expect(sent[0]?.body).toEqual({ chargeIdempotencyKey: 'order:1:charge' });
  });

  it('maps 201 to refunded', async () => {
    const { gateway } = gatewayAnswering(() =>
      json(201, { status: 'refunded', refundId: 're_1', chargeId: 'ch_1', amountCents: 1_250 }),
    );
    expect(await gateway.refund(REFUND)).toEqual({
      kind: 'refunded',
      refundId: 're_1',
      chargeId: 'ch_1',
      amountCents: 1_250,
    });
  });

  it('maps 200 voided to voided', async () => {
    const { gateway } = gatewayAnswering(() => json(200, { status: 'voided' }));
    expect(await gateway.refund(REFUND)).toEqual({ kind: 'voided' });
  });

  it('throws a plain Error on 503 and PaymentGatewayRejectedError on 422', async () => {
    const unavailable = gatewayAnswering(() => json(503, { error: 'down' }));
    const rejected = gatewayAnswering(() => json(422, { error: 'reused' }));
    expect(await rejectionOf(unavailable.gateway.refund(REFUND))).not.toBeInstanceOf(
      PaymentGatewayRejectedError,
    );
    expect(await rejectionOf(rejected.gateway.refund(REFUND))).toBeInstanceOf(
      PaymentGatewayRejectedError,
    );
  });
});
