import { describe, expect, it } from 'vitest';
import type { ProductRecord } from '../../activities/inventory/inventory.repository.js';
import type { OrderRecord } from '../../activities/orders/order.repository.js';
import { createApp } from '../../api/app.js';
import type {
  CancelOrderOutcome,
  OrderCommands,
  PlaceOrderOutcome,
} from '../../api/orders/order.commands.js';
import type { OrderQueries } from '../../activities/orders/order.queries.js';
import type { OrderSagaInput, OrderStatus } from '../../workflows/orders/order.types.js';

const KEY = 'order-7f3a9c1e';

const PRODUCTS: ProductRecord[] = [
  { sku: 'SKU-COFFEE', name: 'Coffee', priceCents: 1_250, stockOnHand: 10 },
  { sku: 'SKU-TEA', name: 'Tea', priceCents: 800, stockOnHand: 3 },
];

const orderRecord = (overrides: Partial<OrderRecord> = {}): OrderRecord => ({
  id: KEY,
  customerId: 'customer-42',
  status: 'CONFIRMED',
  totalCents: 2_500,
  chargeId: 'ch_1',
  refundId: null,
  failureReason: null,
  items: [{ sku: 'SKU-COFFEE', quantity: 2, unitPriceCents: 1_250 }],
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:01.000Z',
  ...overrides,
});

const validBody = () => ({
  customerId: 'customer-42',
  items: [{ sku: 'SKU-COFFEE', quantity: 2 }],
  paymentToken: 'tok_visa',
});

interface FakeOptions {
  placeOrder?: PlaceOrderOutcome | (() => Promise<PlaceOrderOutcome>);
  cancelOrder?: CancelOrderOutcome;
  sagaEnds?: boolean;
  sagaStatus?: OrderStatus | null;
  orders?: OrderRecord[];
  products?: ProductRecord[];
  paymentDeadlineSeconds?: number;
}

type Call = { name: string; args: unknown[] };

/** The API over fakes that record every call and answer as the test says. */
function apiWith(options: FakeOptions = {}) {
  const calls: Call[] = [];
  const record = (name: string, ...args: unknown[]) => calls.push({ name, args });
  const products = options.products ?? PRODUCTS;
  const orders = new Map((options.orders ?? []).map((order) => [order.id, order]));
  const errors: unknown[] = [];

  const orderCommands: OrderCommands = {
    async placeOrder(input, fingerprint) {
      record('placeOrder', input, fingerprint);
      const outcome = options.placeOrder ?? { kind: 'started' };
      return typeof outcome === 'function' ? outcome() : outcome;
    },
    async cancelOrder(orderId, reason) {
      record('cancelOrder', orderId, reason);
      return options.cancelOrder ?? { kind: 'accepted' };
    },
    async waitForEnd(orderId, timeoutMs) {
      record('waitForEnd', orderId, timeoutMs);
      return options.sagaEnds ?? false;
    },
    async sagaStatus(orderId) {
      record('sagaStatus', orderId);
      return options.sagaStatus ?? null;
    },
  };
  const orderQueries: OrderQueries = {
    async findOrder(id) {
      record('findOrder', id);
      return orders.get(id) ?? null;
    },
    async listProducts() {
      record('listProducts');
      return products;
    },
    async unknownSkus(skus) {
      record('unknownSkus', skus);
      const known = new Set(products.map((p) => p.sku));
      return skus.filter((sku) => !known.has(sku));
    },
  };
  const app = createApp({
    orderCommands,
    orderQueries,
    logger: { error: (fields: object) => errors.push(fields) },
    paymentDeadlineSeconds: options.paymentDeadlineSeconds ?? 45,
    waitTimeoutMs: 1_234,
  });
  const called = (name: string) => calls.filter((c) => c.name === name);
  return { app, calls, called, errors };
}

interface PostOrder {
  body?: string;
  /** null sends no Idempotency-Key header at all. */
  key?: string | null;
  query?: string;
  contentType?: string;
}

function postOrder(app: ReturnType<typeof apiWith>['app'], request: PostOrder = {}) {
  const {
    body = JSON.stringify(validBody()),
    query = '',
    contentType = 'application/json',
  } = request;
  const key = request.key === undefined ? KEY : request.key;
  const headers: Record<string, string> = { 'content-type': contentType };
  if (key !== null) headers['idempotency-key'] = key;
  return app.request(`/orders${query}`, { method: 'POST', body, headers });
}

interface ErrorBody {
  error: string;
  issues?: { field: string; message: string }[];
}

const fieldsOf = (body: ErrorBody) => (body.issues ?? []).map((issue) => issue.field);

describe('POST /orders', () => {
  it('starts the saga and answers 202 with a Location and the accepted order', async () => {
    const { app } = apiWith();
    const response = await postOrder(app);
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/orders/${KEY}`);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    expect(await response.json()).toEqual({
      orderId: KEY,
      workflowId: `order:${KEY}`,
      status: 'PENDING',
    });
  });

  it('passes the Idempotency-Key as the order id, the body and the payment deadline to placeOrder', async () => {
    const { app, called } = apiWith({ paymentDeadlineSeconds: 45 });
    await postOrder(app);
    const placed = called('placeOrder');
    expect(placed).toHaveLength(1);
    const [input, fingerprint] = placed[0]!.args as [OrderSagaInput, string];
    expect(input).toEqual({
      orderId: KEY,
      customerId: 'customer-42',
      items: [{ sku: 'SKU-COFFEE', quantity: 2 }],
      paymentToken: 'tok_visa',
      paymentDeadlineSeconds: 45,
    });
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fingerprints the same request the same way whatever its item order, and a different one differently', async () => {
    const { app, called } = apiWith();
    const items = [
      { sku: 'SKU-COFFEE', quantity: 2 },
      { sku: 'SKU-TEA', quantity: 1 },
    ];
    await postOrder(app, { body: JSON.stringify({ ...validBody(), items }) });
    await postOrder(app, { body: JSON.stringify({ ...validBody(), items: [...items].reverse() }) });
    await postOrder(app, {
      body: JSON.stringify({ ...validBody(), items: [{ sku: 'SKU-COFFEE', quantity: 3 }] }),
    });
    const [first, second, third] = called('placeOrder').map((c) => c.args[1]);
    expect(second).toBe(first);
    expect(third).not.toBe(first);
  });

  describe('rejects a bad Idempotency-Key with 400 naming the header, starting nothing', () => {
    it.each([
      ['missing', null],
      ['too short', 'abc'],
      ['too long', 'k'.repeat(65)],
      ['with forbidden characters', 'order 7f3a/9c1e'],
    ])('%s', async (_case, key) => {
      const { app, called } = apiWith();
      const response = await postOrder(app, { key });
      expect(response.status).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(fieldsOf(body)).toEqual(['header idempotency-key']);
      expect(called('placeOrder')).toHaveLength(0);
      expect(called('unknownSkus')).toHaveLength(0);
    });
  });

  describe('rejects a bad body with 400 naming the field, calling nothing', () => {
    it.each([
      ['empty items', { ...validBody(), items: [] }, 'items'],
      [
        'quantity 0',
        { ...validBody(), items: [{ sku: 'SKU-COFFEE', quantity: 0 }] },
        'items.0.quantity',
      ],
      [
        'fractional quantity',
        { ...validBody(), items: [{ sku: 'SKU-COFFEE', quantity: 1.5 }] },
        'items.0.quantity',
      ],
      [
        'duplicate SKUs',
        {
          ...validBody(),
          items: [
            { sku: 'SKU-COFFEE', quantity: 1 },
            { sku: 'SKU-COFFEE', quantity: 2 },
          ],
        },
        'items',
      ],
      ['missing customerId', { items: validBody().items, paymentToken: 'tok_visa' }, 'customerId'],
      [
        'missing paymentToken',
        { customerId: 'customer-42', items: validBody().items },
        'paymentToken',
      ],
      ['a JSON array instead of an object', [], '(body)'],
      // Postgres refuses NUL in text and unpaired surrogates in jsonb: a 500 unless stopped here.
      ['NUL in customerId', { ...validBody(), customerId: 'customer\u000042' }, 'customerId'],
      [
        'unpaired surrogate in customerId',
        { ...validBody(), customerId: 'c-\ud800' },
        'customerId',
      ],
      [
        'NUL in a SKU',
        { ...validBody(), items: [{ sku: 'SKU-\u0000', quantity: 1 }] },
        'items.0.sku',
      ],
      [
        'unpaired surrogate in paymentToken',
        { ...validBody(), paymentToken: 'tok_\udc00' },
        'paymentToken',
      ],
    ])('%s', async (_case, body, field) => {
      const { app, calls } = apiWith();
      const response = await postOrder(app, { body: JSON.stringify(body) });
      expect(response.status).toBe(400);
      const answer = (await response.json()) as ErrorBody;
      expect(answer.error).toBe('invalid request');
      expect(fieldsOf(answer)).toContain(field);
      expect(calls).toEqual([]);
    });

    it('duplicate SKUs are reported as such', async () => {
      const { app } = apiWith();
      const items = [
        { sku: 'SKU-TEA', quantity: 1 },
        { sku: 'SKU-TEA', quantity: 1 },
      ];
      const response = await postOrder(app, { body: JSON.stringify({ ...validBody(), items }) });
      const answer = (await response.json()) as ErrorBody;
      expect(answer.issues).toContainEqual({
        field: 'items',
        message: 'each SKU may appear only once',
      });
    });
  });

  // A client error, not a server fault: hono's JSON validator throws HTTPException(400) for a body
  // it cannot parse, and createApp's onError must not turn it into a 500.
  it('rejects a body that is not JSON with 400, calling nothing', async () => {
    const { app, calls } = apiWith();
    const response = await postOrder(app, { body: '{"customerId": "customer-42", items: [' });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as ErrorBody;
    expect(answer.error).not.toBe('internal error');
    expect(fieldsOf(answer)).toEqual(['(body)']);
    expect(calls).toEqual([]);
  });

  it('rejects a body sent without a JSON content type with a 4xx, calling nothing', async () => {
    const { app, calls } = apiWith();
    const response = await postOrder(app, { contentType: 'text/plain' });
    expect([400, 415]).toContain(response.status);
    expect(calls).toEqual([]);
  });

  it('rejects an unknown SKU with 400 naming items.N.sku, starting nothing', async () => {
    const { app, called } = apiWith();
    const items = [
      { sku: 'SKU-COFFEE', quantity: 1 },
      { sku: 'SKU-NOPE', quantity: 1 },
    ];
    const response = await postOrder(app, { body: JSON.stringify({ ...validBody(), items }) });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as ErrorBody;
    expect(answer.issues).toEqual([{ field: 'items.1.sku', message: 'unknown SKU "SKU-NOPE"' }]);
    expect(called('unknownSkus')[0]?.args).toEqual([['SKU-COFFEE', 'SKU-NOPE']]);
    expect(called('placeOrder')).toHaveLength(0);
  });

  it('answers a repeated key with 202, Idempotent-Replayed and the order status as it is now', async () => {
    const { app, called } = apiWith({
      placeOrder: { kind: 'duplicate' },
      orders: [orderRecord({ status: 'PAID' })],
    });
    const response = await postOrder(app);
    expect(response.status).toBe(202);
    expect(response.headers.get('idempotent-replayed')).toBe('true');
    expect(response.headers.get('location')).toBe(`/orders/${KEY}`);
    expect(await response.json()).toEqual({
      orderId: KEY,
      workflowId: `order:${KEY}`,
      status: 'PAID',
    });
    expect(called('findOrder')[0]?.args).toEqual([KEY]);
  });

  it('reports a repeated key whose saga has not written its row yet as PENDING', async () => {
    const { app } = apiWith({ placeOrder: { kind: 'duplicate' } });
    const response = await postOrder(app);
    expect(response.status).toBe(202);
    expect(((await response.json()) as { status: string }).status).toBe('PENDING');
  });

  it('answers a key reused for a different request with 422 and no Location', async () => {
    const { app } = apiWith({ placeOrder: { kind: 'conflict' } });
    const response = await postOrder(app);
    expect(response.status).toBe(422);
    expect(response.headers.get('location')).toBeNull();
    expect(((await response.json()) as ErrorBody).error).toContain(KEY);
  });

  it('with ?wait=true answers 200 with the final order once the saga has ended', async () => {
    const final = orderRecord({ status: 'CONFIRMED' });
    const { app, called } = apiWith({ sagaEnds: true, orders: [final] });
    const response = await postOrder(app, { query: '?wait=true' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...final, workflowId: `order:${KEY}` });
    expect(called('waitForEnd')[0]?.args).toEqual([KEY, 1_234]);
  });

  it('with ?wait=true answers 202 when the saga has not ended within the wait timeout', async () => {
    const { app, called } = apiWith({
      sagaEnds: false,
      orders: [orderRecord({ status: 'RESERVED' })],
    });
    const response = await postOrder(app, { query: '?wait=true' });
    expect(response.status).toBe(202);
    expect(response.headers.get('location')).toBe(`/orders/${KEY}`);
    expect(await response.json()).toMatchObject({ orderId: KEY, status: 'PENDING' });
    expect(called('waitForEnd')).toHaveLength(1);
  });

  it('does not wait without ?wait=true', async () => {
    const { app, called } = apiWith({ sagaEnds: true });
    expect((await postOrder(app)).status).toBe(202);
    expect((await postOrder(app, { query: '?wait=false' })).status).toBe(202);
    expect(called('waitForEnd')).toHaveLength(0);
  });

  it('rejects a bad ?wait value with 400 naming the query parameter', async () => {
    const { app, calls } = apiWith();
    const response = await postOrder(app, { query: '?wait=yes' });
    expect(response.status).toBe(400);
    expect(fieldsOf((await response.json()) as ErrorBody)).toEqual(['query wait']);
    expect(calls).toEqual([]);
  });
});

describe('GET /orders/:id', () => {
  it('returns the order with its workflow id', async () => {
    const order = orderRecord({
      status: 'FAILED',
      failureReason: 'payment declined: card_declined',
    });
    const { app, called } = apiWith({ orders: [order] });
    const response = await app.request(`/orders/${KEY}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...order, workflowId: `order:${KEY}` });
    expect(called('sagaStatus')).toHaveLength(0);
  });

  it('reports PENDING when the saga exists but has not written the order row yet', async () => {
    const { app, called } = apiWith({ sagaStatus: 'PENDING' });
    const response = await app.request(`/orders/${KEY}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: KEY,
      workflowId: `order:${KEY}`,
      status: 'PENDING',
    });
    expect(called('sagaStatus')[0]?.args).toEqual([KEY]);
  });

  it('reports FAILED when the saga failed before it could write the order row', async () => {
    const { app } = apiWith({ sagaStatus: 'FAILED' });
    const response = await app.request(`/orders/${KEY}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { status: string }).status).toBe('FAILED');
  });

  it('answers 404 when neither the order nor its saga exists', async () => {
    const { app } = apiWith({ sagaStatus: null });
    const response = await app.request(`/orders/${KEY}`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).error).toContain(KEY);
  });

  it('rejects a malformed id with 400 naming the path parameter, querying nothing', async () => {
    const { app, calls } = apiWith();
    const response = await app.request('/orders/bad!id');
    expect(response.status).toBe(400);
    expect(fieldsOf((await response.json()) as ErrorBody)).toEqual(['path id']);
    expect(calls).toEqual([]);
  });
});

describe('POST /orders/:id/cancel', () => {
  const cancel = (app: ReturnType<typeof apiWith>['app'], body?: object) =>
    app.request(`/orders/${KEY}/cancel`, {
      method: 'POST',
      ...(body
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });

  it('answers 202 when the saga accepts the cancellation, passing the reason on', async () => {
    const { app, called } = apiWith({ cancelOrder: { kind: 'accepted' } });
    const response = await cancel(app, { reason: 'changed my mind' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      orderId: KEY,
      workflowId: `order:${KEY}`,
      status: 'PENDING',
    });
    expect(called('cancelOrder')[0]?.args).toEqual([KEY, 'changed my mind']);
  });

  it('accepts a cancel without a body', async () => {
    const { app, called } = apiWith({ cancelOrder: { kind: 'accepted' } });
    expect((await cancel(app)).status).toBe(202);
    expect(called('cancelOrder')[0]?.args).toEqual([KEY, undefined]);
  });

  it('answers 404 for an unknown order', async () => {
    const { app } = apiWith({ cancelOrder: { kind: 'not-found' } });
    expect((await cancel(app)).status).toBe(404);
  });

  it('answers 409 with the reason when the saga rejects the cancellation', async () => {
    const { app } = apiWith({
      cancelOrder: { kind: 'rejected', reason: 'order is already confirmed' },
    });
    const response = await cancel(app);
    expect(response.status).toBe(409);
    expect(((await response.json()) as ErrorBody).error).toContain('order is already confirmed');
  });

  it('rejects an over-long reason with 400 naming the field, cancelling nothing', async () => {
    const { app, called } = apiWith();
    const response = await cancel(app, { reason: 'x'.repeat(201) });
    expect(response.status).toBe(400);
    expect(fieldsOf((await response.json()) as ErrorBody)).toEqual(['reason']);
    expect(called('cancelOrder')).toHaveLength(0);
  });
});

describe('GET /products', () => {
  it('lists the products with their stock', async () => {
    const { app } = apiWith();
    const response = await app.request('/products');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(PRODUCTS);
  });
});

describe('documentation', () => {
  it('GET /openapi.json describes every route', async () => {
    const { app, calls } = apiWith();
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    const spec = (await response.json()) as { openapi: string; paths: Record<string, object> };
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths).sort()).toEqual([
      '/orders',
      '/orders/{id}',
      '/orders/{id}/cancel',
      '/products',
    ]);
    expect(Object.keys(spec.paths['/orders']!)).toEqual(['post']);
    expect(Object.keys(spec.paths['/orders/{id}']!)).toEqual(['get']);
    expect(Object.keys(spec.paths['/orders/{id}/cancel']!)).toEqual(['post']);
    expect(Object.keys(spec.paths['/products']!)).toEqual(['get']);
    expect(calls).toEqual([]);
  });

  it('GET /docs serves the Swagger UI page pointing at the spec', async () => {
    const { app } = apiWith();
    const response = await app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('SwaggerUIBundle');
    expect(html).toContain('"/openapi.json"');
  });

  it('an unknown route answers 404 as JSON', async () => {
    const { app } = apiWith();
    const response = await app.request('/nope');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'no route for GET /nope' });
  });
});

describe('unexpected failures', () => {
  it('answer 500 {error: "internal error"} without leaking internals, and are logged', async () => {
    const secret = 'connect ECONNREFUSED 10.0.0.7:7233 (password=hunter2)';
    const { app, errors } = apiWith({
      placeOrder: async () => {
        throw new Error(secret);
      },
    });
    const response = await postOrder(app);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal error' });
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('hunter2');
    expect(errors).toHaveLength(1);
  });

  it('from a query answer 500 too', async () => {
    const failing = createApp({
      orderCommands: {} as OrderCommands,
      orderQueries: {
        listProducts: async () => {
          throw new Error('relation "products" does not exist');
        },
      } as unknown as OrderQueries,
    });
    const response = await failing.request('/products');
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal error' });
    expect(text).not.toContain('relation');
  });
});
