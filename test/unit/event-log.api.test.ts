import { describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import type {
  EventLogQueries,
  LoggedEvent,
  LogPage,
  OutboxStatus,
} from '../../activities/outbox/event-log.queries.js';
import type { OrderCommands } from '../../api/orders/order.commands.js';
import type { OrderQueries } from '../../activities/orders/order.queries.js';
import type {
  LoyaltyRecord,
  SagaViewRecord,
  ViewQueries,
} from '../../activities/projections/projection.queries.js';

const logged = (sequence: number, overrides: Partial<LoggedEvent> = {}): LoggedEvent => ({
  id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
  sequence: String(sequence + 1000),
  logSequence: String(sequence),
  aggregateType: 'order',
  aggregateId: 'order-00000001',
  eventType: 'OrderPlaced',
  schemaVersion: 1,
  payload: { orderId: 'order-00000001' },
  correlationId: 'order:order-00000001',
  traceContext: null,
  occurredAt: '2026-11-21T10:00:00.000Z',
  publishedAt: '2026-11-21T10:00:00.050Z',
  ...overrides,
});

const STATUS: OutboxStatus = {
  backlog: {
    unpublished: 42,
    oldestUnpublishedAgeMs: 12_000,
    lastSequence: 900,
    lastPublishedAt: '2026-11-21T10:00:00.000Z',
  },
  relay: {
    workflowId: 'outbox-relay',
    workflowStatus: 'RUNNING',
    activity: {
      state: 'STARTED',
      attempt: 1,
      lastHeartbeatAt: '2026-11-21T10:00:12.000Z',
      lastFailure: null,
      status: {
        state: 'backing-off',
        publishedThisRun: 0,
        lastPublishedAt: null,
        lastError: 'KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
        failingSince: '2026-11-21T10:00:00.000Z',
        attempt: 4,
        nextAttemptAt: '2026-11-21T10:00:20.000Z',
      },
    },
  },
};

const VIEW: SagaViewRecord = {
  id: 'order-00000001',
  kind: 'order',
  status: 'CONFIRMED',
  customerId: 'customer-42',
  totalCents: 4_800,
  details: { notified: true },
  lastEventType: 'CustomerNotified',
  eventCount: 5,
  updatedAt: '2026-11-21T10:00:01.000Z',
};

const unused = () => {
  throw new Error('not used by these routes');
};

/** The API with the event-log and view routes over fakes that record what they were asked. */
function apiWith({ log = [] as LoggedEvent[], views = [VIEW] } = {}) {
  const pages: LogPage[] = [];
  const viewLookups: string[] = [];
  const eventLog: EventLogQueries = {
    async readLog(page) {
      pages.push(page);
      return log
        .filter((event) => BigInt(event.logSequence) > page.after)
        .filter((event) => !page.eventType || event.eventType === page.eventType)
        .slice(0, page.limit);
    },
    outboxStatus: async () => STATUS,
  };
  const viewQueries: ViewQueries = {
    async findView(kind, id) {
      viewLookups.push(`${kind}:${id}`);
      return views.find((view) => view.kind === kind && view.id === id) ?? null;
    },
    async findLoyalty(customerId): Promise<LoyaltyRecord> {
      return customerId === 'customer-42'
        ? {
            customerId,
            points: 48,
            awards: [{ kind: 'order', id: VIEW.id, points: 48, status: 'AWARDED' }],
          }
        : { customerId, points: 0, awards: [] };
    },
  };
  const app = createApp({
    orderCommands: unused as unknown as OrderCommands,
    orderQueries: unused as unknown as OrderQueries,
    eventLog,
    views: viewQueries,
  });
  return { app, pages, viewLookups };
}

describe('GET /event-log', () => {
  it('pages by sequence and links the next page while pages are full', async () => {
    const log = [1, 2, 3, 4, 5].map((n) => logged(n));
    const { app, pages } = apiWith({ log });

    const first = await app.request('/event-log?after=0&limit=2');
    expect(first.status).toBe(200);
    const body = (await first.json()) as { events: { sequence: number }[]; next: string | null };
    expect(body.events.map((e) => e.sequence)).toEqual([1, 2]);
    expect(body.next).toBe('/event-log?after=2&limit=2');
    expect(pages[0]).toMatchObject({ after: 0n, limit: 2 });

    const last = (await (await app.request('/event-log?after=4&limit=2')).json()) as {
      events: { sequence: number }[];
      next: string | null;
    };
    expect(last.events.map((e) => e.sequence)).toEqual([5]);
    expect(last.next).toBeNull();
  });

  it('serves each event with its global sequence, correlation id and payload, not internals', async () => {
    const { app } = apiWith({ log: [logged(7)] });
    const body = (await (await app.request('/event-log')).json()) as {
      events: Record<string, unknown>[];
    };
    expect(body.events[0]).toEqual({
      sequence: 7,
      id: logged(7).id,
      aggregateType: 'order',
      aggregateId: 'order-00000001',
      eventType: 'OrderPlaced',
      schemaVersion: 1,
      correlationId: 'order:order-00000001',
      occurredAt: '2026-11-21T10:00:00.000Z',
      publishedAt: '2026-11-21T10:00:00.050Z',
      payload: { orderId: 'order-00000001' },
    });
  });

  it('defaults to after=0, limit=100 and passes the filters on (and into the next link)', async () => {
    const log = [1, 2].map((n) => logged(n, { eventType: 'OrderConfirmed' }));
    const { app, pages } = apiWith({ log });
    await app.request('/event-log');
    expect(pages[0]).toEqual({
      after: 0n,
      limit: 100,
      eventType: undefined,
      aggregateType: undefined,
      aggregateId: undefined,
    });
    const body = (await (
      await app.request(
        '/event-log?type=OrderConfirmed&aggregateType=order&aggregateId=order-00000001&limit=1',
      )
    ).json()) as { next: string };
    expect(pages[1]).toMatchObject({
      eventType: 'OrderConfirmed',
      aggregateType: 'order',
      aggregateId: 'order-00000001',
      limit: 1,
    });
    expect(body.next).toBe(
      '/event-log?type=OrderConfirmed&aggregateType=order&aggregateId=order-00000001&after=1&limit=1',
    );
  });

  it.each([
    ['after=-1', 'query after'],
    ['after=abc', 'query after'],
    ['limit=0', 'query limit'],
    ['limit=1001', 'query limit'],
    ['aggregateType=invoice', 'query aggregateType'],
    ['type=Order%20Placed', 'query type'],
  ])('answers 400 naming the field for %s, and reads nothing', async (query, field) => {
    const { app, pages } = apiWith();
    const response = await app.request(`/event-log?${query}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { issues: { field: string }[] };
    expect(body.issues.map((issue) => issue.field)).toContain(field);
    expect(pages).toHaveLength(0);
  });

  it('leaves /events to the ticketed events (absent here, so 404)', async () => {
    const { app, pages } = apiWith();
    expect((await app.request('/events?after=0')).status).toBe(404);
    expect((await app.request('/events/0b7d6c1e-8f0a-4a57-9d43-2f1c3e9b5a10')).status).toBe(404);
    expect(pages).toHaveLength(0);
  });
});

describe('GET /admin/outbox', () => {
  it("shows the backlog and the relay's state and last error", async () => {
    const { app } = apiWith();
    const response = await app.request('/admin/outbox');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(STATUS);
  });
});

describe('GET /views/…', () => {
  it('serves an order from the order view', async () => {
    const { app, viewLookups } = apiWith();
    const response = await app.request('/views/orders/order-00000001');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(VIEW);
    expect(viewLookups).toEqual(['order:order-00000001']);
  });

  it('answers 404 for what the view has not seen, and looks bookings up as bookings', async () => {
    const { app, viewLookups } = apiWith();
    const response = await app.request('/views/bookings/order-00000001');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toMatch(
      /no booking "order-00000001"/,
    );
    expect(viewLookups).toEqual(['booking:order-00000001']);
  });

  it('answers 400 for an id that cannot be a key, without looking', async () => {
    const { app, viewLookups } = apiWith();
    const response = await app.request('/views/orders/short');
    expect(response.status).toBe(400);
    expect(viewLookups).toHaveLength(0);
  });

  it("serves a customer's loyalty points, 0 for a customer it has not seen", async () => {
    const { app } = apiWith();
    expect(await (await app.request('/views/loyalty/customer-42')).json()).toMatchObject({
      points: 48,
    });
    expect(await (await app.request('/views/loyalty/customer-7')).json()).toEqual({
      customerId: 'customer-7',
      points: 0,
      awards: [],
    });
  });
});

describe('OpenAPI', () => {
  it('documents the event log, outbox status and view routes', async () => {
    const { app } = apiWith();
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/event-log',
        '/admin/outbox',
        '/views/orders/{id}',
        '/views/bookings/{id}',
        '/views/loyalty/{customerId}',
      ]),
    );
  });
});
