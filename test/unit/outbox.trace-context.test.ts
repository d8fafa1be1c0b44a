import {
  ROOT_CONTEXT,
  context,
  createContextKey,
  propagation,
  type Context,
  type ContextManager,
  type TextMapPropagator,
} from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { appendToOutbox, type DomainEvent } from '../../activities/outbox/outbox.appender.js';
import type { Db } from '../../prisma/client.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const SPAN = createContextKey('test span');

/** Stands in for the W3C propagator an OpenTelemetry SDK registers. */
const fakePropagator: TextMapPropagator = {
  inject(ctx, carrier, setter) {
    const traceparent = ctx.getValue(SPAN);
    if (typeof traceparent === 'string') setter.set(carrier, 'traceparent', traceparent);
  },
  extract: (ctx) => ctx,
  fields: () => ['traceparent'],
};

/** Enough of a context manager for a synchronous `with` (the SDK's tracks async work too). */
function stackContextManager(): ContextManager {
  let active: Context = ROOT_CONTEXT;
  return {
    active: () => active,
    with(ctx, fn, thisArg, ...args) {
      const previous = active;
      active = ctx;
      try {
        return fn.call(thisArg, ...args);
      } finally {
        active = previous;
      }
    },
    bind: (_ctx, target) => target,
    enable() {
      return this;
    },
    disable() {
      return this;
    },
  };
}

/** A db whose createMany records the rows it was given. */
function recordingDb() {
  const rows: Record<string, unknown>[] = [];
  const db = {
    outboxEvent: {
      createMany: async ({ data }: { data: Record<string, unknown>[] }) => {
        rows.push(...data);
        return { count: data.length };
      },
    },
  } as unknown as Db;
  return { db, rows };
}

const event = {
  aggregateType: 'order',
  aggregateId: 'order-1',
  eventType: 'OrderPlaced',
  payload: { orderId: 'order-1', customerId: 'customer-1', items: [], totalCents: 0 },
} satisfies DomainEvent;
const nextEvent = {
  ...event,
  eventType: 'InventoryReserved',
  payload: { orderId: 'order-1', items: [] },
} satisfies DomainEvent;

afterEach(() => {
  propagation.disable();
  context.disable();
});

describe('appendToOutbox trace context', () => {
  it('stores the active traceparent on every event, so the relay can put it in the Kafka headers', async () => {
    propagation.setGlobalPropagator(fakePropagator);
    context.setGlobalContextManager(stackContextManager());
    const { db, rows } = recordingDb();
    await context.with(ROOT_CONTEXT.setValue(SPAN, TRACEPARENT), () =>
      appendToOutbox(db, 'order:order-1', event, nextEvent),
    );
    expect(rows.map((row) => row.traceContext)).toEqual([TRACEPARENT, TRACEPARENT]);
    expect(rows[0]).toMatchObject({ correlationId: 'order:order-1', eventType: 'OrderPlaced' });
  });

  it('stores null when nothing is being traced', async () => {
    const { db, rows } = recordingDb();
    await appendToOutbox(db, undefined, event);
    expect(rows[0]).toMatchObject({ traceContext: null, correlationId: null });
  });
});
