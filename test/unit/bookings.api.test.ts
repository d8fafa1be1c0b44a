import { describe, expect, it } from 'vitest';
import { SOLD_OUT_REASON } from '../../activities/bookings/booking.repository.js';
import { createApp } from '../../api/app.js';
import type {
  BookingCommands,
  BookOutcome,
  CancelBookingOutcome,
  PayOutcome,
} from '../../api/bookings/booking.commands.js';
import type {
  BookingQueries,
  BookingRecord,
  CacheStatus,
  EventRecord,
} from '../../activities/bookings/booking.queries.js';
import type { EventCommands, NewEventInput } from '../../activities/bookings/event.commands.js';
import type { OrderCommands } from '../../api/orders/order.commands.js';
import type { OrderQueries } from '../../activities/orders/order.queries.js';
import type { ConsistencyReport } from '../../activities/ops/consistency.check.js';
import type { BookingSagaInput, BookingStatus } from '../../workflows/bookings/booking.types.js';

const KEY = 'booking-7f3a9c1e';
const EVENT_ID = '0b7d6c1e-8f0a-4a57-9d43-2f1c3e9b5a10';
const OTHER_EVENT_ID = '5d2f8a3b-1c4e-4f6a-8b7c-9d0e1f2a3b4c';
const NEW_EVENT_ID = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const HOUR = 3_600_000;

const inOneDay = () => new Date(Date.now() + 24 * HOUR).toISOString();

const eventRecord = (overrides: Partial<EventRecord> = {}): EventRecord => ({
  id: EVENT_ID,
  title: 'Temporal Meetup',
  startsAt: inOneDay(),
  priceCents: 2_500,
  totalSeats: 100,
  availableSeats: 40,
  version: 7,
  ...overrides,
});

const bookingRecord = (overrides: Partial<BookingRecord> = {}): BookingRecord => ({
  id: KEY,
  eventId: EVENT_ID,
  customerId: 'customer-42',
  seats: 2,
  status: 'CONFIRMED',
  totalCents: 5_000,
  holdExpiresAt: '2026-11-21T10:10:00.000Z',
  chargeId: 'ch_1',
  refundId: null,
  failureReason: null,
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:05.000Z',
  ...overrides,
});

const REPORT: ConsistencyReport = {
  ok: false,
  checked: { events: 3, bookings: 12, charges: 5 },
  offenders: [
    {
      kind: 'charge-kept-for-unconfirmed-booking',
      bookingId: 'booking-00000001',
      status: 'EXPIRED',
      chargeId: 'ch_9',
    },
  ],
};

const HOLD_EXPIRES_AT = '2026-11-21T10:10:00.000Z';

const held = (replayed = false): BookOutcome => ({
  kind: 'answered',
  reply: { hold: { status: 'HELD', holdExpiresAt: HOLD_EXPIRES_AT, totalCents: 5_000 }, replayed },
});

interface FakeOptions {
  events?: EventRecord[];
  cache?: CacheStatus;
  book?: BookOutcome | (() => Promise<BookOutcome>);
  pay?: PayOutcome;
  cancel?: CancelBookingOutcome;
  bookings?: BookingRecord[];
  sagaStatus?: BookingStatus | null;
  holdSeconds?: number;
  paymentDeadlineSeconds?: number;
}

type Call = { name: string; args: unknown[] };

/** The API with booking deps over fakes that record every call and answer as the test says. */
function apiWith(options: FakeOptions = {}) {
  const calls: Call[] = [];
  const record = (name: string, ...args: unknown[]) => calls.push({ name, args });
  const events = new Map((options.events ?? [eventRecord()]).map((event) => [event.id, event]));
  const bookings = new Map((options.bookings ?? []).map((booking) => [booking.id, booking]));
  const errors: unknown[] = [];

  const commands: BookingCommands = {
    async book(input) {
      record('book', input);
      const outcome = options.book ?? held();
      return typeof outcome === 'function' ? outcome() : outcome;
    },
    async pay(bookingId, paymentToken) {
      record('pay', bookingId, paymentToken);
      return options.pay ?? { kind: 'answered', result: { status: 'CONFIRMED', chargeId: 'ch_1' } };
    },
    async cancel(bookingId, reason) {
      record('cancel', bookingId, reason);
      return options.cancel ?? { kind: 'cancelled', refunded: false };
    },
    async sagaStatus(bookingId) {
      record('sagaStatus', bookingId);
      return options.sagaStatus ?? null;
    },
  };
  const eventCommands: EventCommands = {
    async createTicketedEvent(input: NewEventInput) {
      record('createTicketedEvent', input);
      return { id: NEW_EVENT_ID, ...input, availableSeats: input.totalSeats, version: 1 };
    },
  };
  const queries: BookingQueries = {
    async findEvent(id) {
      record('findEvent', id);
      const event = events.get(id);
      return event ? { event, cache: options.cache ?? 'MISS' } : null;
    },
    async findBooking(id) {
      record('findBooking', id);
      return bookings.get(id) ?? null;
    },
  };
  const checkConsistency = async () => {
    record('checkConsistency');
    return REPORT;
  };
  const app = createApp({
    // The order routes are not under test here: any call to them fails loudly.
    orderCommands: {} as OrderCommands,
    orderQueries: {} as OrderQueries,
    logger: { error: (fields: object) => errors.push(fields) },
    bookings: {
      commands,
      queries,
      eventCommands,
      holdSeconds: options.holdSeconds ?? 600,
      paymentDeadlineSeconds: options.paymentDeadlineSeconds ?? 90,
    },
    checkConsistency,
  });
  const called = (name: string) => calls.filter((c) => c.name === name);
  return { app, calls, called, errors };
}

type Api = ReturnType<typeof apiWith>['app'];

interface ErrorBody {
  error: string;
  issues?: { field: string; message: string }[];
}

const fieldsOf = (body: ErrorBody) => (body.issues ?? []).map((issue) => issue.field);

const postJson = (app: Api, path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(path, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('POST /events', () => {
  const validEvent = () => ({
    title: 'Temporal Meetup',
    startsAt: inOneDay(),
    totalSeats: 100,
    priceCents: 2_500,
  });

  it('creates the event and answers 201 with it and its Location, without the version', async () => {
    const { app, called } = apiWith();
    const input = validEvent();
    const response = await postJson(app, '/events', input);
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/events/${NEW_EVENT_ID}`);
    expect(await response.json()).toEqual({
      id: NEW_EVENT_ID,
      ...input,
      availableSeats: 100,
    });
    expect(called('createTicketedEvent').map((c) => c.args)).toEqual([[input]]);
  });

  it('trims the title before storing it', async () => {
    const { app, called } = apiWith();
    await postJson(app, '/events', { ...validEvent(), title: '  Temporal Meetup  ' });
    expect((called('createTicketedEvent')[0]?.args[0] as NewEventInput).title).toBe(
      'Temporal Meetup',
    );
  });

  it('accepts a free event (price 0)', async () => {
    const { app } = apiWith();
    const response = await postJson(app, '/events', { ...validEvent(), priceCents: 0 });
    expect(response.status).toBe(201);
  });

  describe('rejects a bad body with 400 naming the field, creating nothing', () => {
    const withoutTitle = { startsAt: inOneDay(), totalSeats: 100, priceCents: 2_500 };
    it.each([
      ['missing title', withoutTitle, 'title'],
      ['blank title', { ...validEvent(), title: '   ' }, 'title'],
      ['startsAt not ISO', { ...validEvent(), startsAt: 'next friday' }, 'startsAt'],
      ['startsAt a date without time', { ...validEvent(), startsAt: '2099-01-31' }, 'startsAt'],
      ['startsAt in the past', { ...validEvent(), startsAt: '2020-01-31T19:00:00Z' }, 'startsAt'],
      ['totalSeats 0', { ...validEvent(), totalSeats: 0 }, 'totalSeats'],
      ['fractional totalSeats', { ...validEvent(), totalSeats: 2.5 }, 'totalSeats'],
      ['negative price', { ...validEvent(), priceCents: -1 }, 'priceCents'],
      ['price as a string', { ...validEvent(), priceCents: '2500' }, 'priceCents'],
      ['NUL in title', { ...validEvent(), title: 'Meetup\u0000' }, 'title'],
      ['unpaired surrogate in title', { ...validEvent(), title: 'Meetup \ud83d' }, 'title'],
    ])('%s', async (_case, body, field) => {
      const { app, calls } = apiWith();
      const response = await postJson(app, '/events', body);
      expect(response.status).toBe(400);
      const answer = (await response.json()) as ErrorBody;
      expect(answer.error).toBe('invalid request');
      expect(fieldsOf(answer)).toContain(field);
      expect(calls).toEqual([]);
    });
  });

  it('says why a past startsAt is refused', async () => {
    const { app } = apiWith();
    const response = await postJson(app, '/events', {
      ...validEvent(),
      startsAt: '2020-01-31T19:00:00Z',
    });
    const answer = (await response.json()) as ErrorBody;
    expect(answer.issues).toContainEqual({ field: 'startsAt', message: 'must be in the future' });
  });

  it('lists every bad field of one request', async () => {
    const { app, calls } = apiWith();
    const response = await postJson(app, '/events', {
      startsAt: 'soon',
      totalSeats: 0,
      priceCents: -5,
    });
    expect(response.status).toBe(400);
    const fields = fieldsOf((await response.json()) as ErrorBody);
    expect(new Set(fields)).toEqual(new Set(['title', 'startsAt', 'totalSeats', 'priceCents']));
    expect(calls).toEqual([]);
  });

  it('rejects malformed JSON with 400, creating nothing', async () => {
    const { app, calls, errors } = apiWith();
    const response = await postJson(app, '/events', '{"title": "Temporal Meetup", totalSeats: ');
    expect(response.status).toBe(400);
    const answer = (await response.json()) as ErrorBody;
    expect(answer.error).toBe('invalid request');
    expect(fieldsOf(answer)).toEqual(['(body)']);
    expect(calls).toEqual([]);
    expect(errors).toEqual([]);
  });
});

describe('GET /events/:id', () => {
  it.each(['HIT', 'MISS', 'BYPASS'] as const)(
    'answers 200 with X-Cache: %s as the queries report it',
    async (cache) => {
      const event = eventRecord();
      const { app, called } = apiWith({ cache, events: [event] });
      const response = await app.request(`/events/${EVENT_ID}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-cache')).toBe(cache);
      const { id, title, startsAt, priceCents, totalSeats, availableSeats } = event;
      expect(await response.json()).toEqual({
        id,
        title,
        startsAt,
        priceCents,
        totalSeats,
        availableSeats,
      });
      expect(called('findEvent').map((c) => c.args)).toEqual([[EVENT_ID]]);
    },
  );

  it('does not expose the internal version field', async () => {
    const { app } = apiWith({ events: [eventRecord({ version: 42 })] });
    const body = (await (await app.request(`/events/${EVENT_ID}`)).json()) as object;
    expect(body).not.toHaveProperty('version');
    expect(Object.keys(body).sort()).toEqual([
      'availableSeats',
      'id',
      'priceCents',
      'startsAt',
      'title',
      'totalSeats',
    ]);
  });

  it('answers 404 for an unknown event, without an X-Cache header', async () => {
    const { app } = apiWith({ events: [] });
    const response = await app.request(`/events/${EVENT_ID}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-cache')).toBeNull();
    expect(((await response.json()) as ErrorBody).error).toContain(EVENT_ID);
  });

  it('rejects an id that is not a UUID with 400 naming the path parameter, querying nothing', async () => {
    const { app, calls } = apiWith();
    const response = await app.request('/events/not-a-uuid');
    expect(response.status).toBe(400);
    expect(fieldsOf((await response.json()) as ErrorBody)).toEqual(['path id']);
    expect(calls).toEqual([]);
  });
});

describe('POST /bookings', () => {
  const validBooking = () => ({ eventId: EVENT_ID, customerId: 'customer-42', seats: 2 });

  interface PostBooking {
    body?: unknown;
    /** null sends no Idempotency-Key header at all. */
    key?: string | null;
  }

  const book = (app: Api, request: PostBooking = {}) => {
    const key = request.key === undefined ? KEY : request.key;
    return postJson(
      app,
      '/bookings',
      request.body ?? validBooking(),
      key === null ? {} : { 'idempotency-key': key },
    );
  };

  it('answers 201 with the held booking and its Location', async () => {
    const { app } = apiWith({ book: held() });
    const response = await book(app);
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/bookings/${KEY}`);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    expect(await response.json()).toEqual({
      id: KEY,
      workflowId: `booking:${KEY}`,
      status: 'HELD',
      eventId: EVENT_ID,
      customerId: 'customer-42',
      seats: 2,
      totalCents: 5_000,
      holdExpiresAt: HOLD_EXPIRES_AT,
    });
  });

  it('starts the saga with the Idempotency-Key as booking id and the hold and payment deadlines', async () => {
    const { app, called } = apiWith({ holdSeconds: 321, paymentDeadlineSeconds: 77 });
    await book(app);
    const booked = called('book');
    expect(booked).toHaveLength(1);
    expect(booked[0]!.args[0]).toEqual({
      bookingId: KEY,
      eventId: EVENT_ID,
      customerId: 'customer-42',
      seats: 2,
      holdSeconds: 321,
      paymentDeadlineSeconds: 77,
      requestFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('fingerprints identical bodies identically (whatever their key order) and different ones differently', async () => {
    const { app, called } = apiWith({
      events: [eventRecord(), eventRecord({ id: OTHER_EVENT_ID })],
    });
    const same = validBooking();
    await book(app, { body: same });
    await book(app, {
      body: { seats: same.seats, customerId: same.customerId, eventId: same.eventId },
    });
    await book(app, { body: { ...same, seats: 3 } });
    await book(app, { body: { ...same, customerId: 'customer-43' } });
    await book(app, { body: { ...same, eventId: OTHER_EVENT_ID } });
    const fingerprints = called('book').map(
      (c) => (c.args[0] as BookingSagaInput).requestFingerprint,
    );
    expect(fingerprints).toHaveLength(5);
    const [first, second, ...different] = fingerprints;
    expect(second).toBe(first);
    for (const other of different) expect(other).not.toBe(first);
    expect(new Set(different).size).toBe(different.length);
  });

  it('answers 409 with the seats left when the event is sold out', async () => {
    const { app } = apiWith({
      book: {
        kind: 'answered',
        reply: { hold: { status: 'SOLD_OUT', availableSeats: 1 }, replayed: false },
      },
    });
    const response = await book(app);
    expect(response.status).toBe(409);
    const answer = (await response.json()) as {
      error: string;
      bookingId: string;
      availableSeats: number;
    };
    expect(answer).toEqual({
      error: expect.stringContaining('sold out'),
      bookingId: KEY,
      availableSeats: 1,
    });
  });

  it('answers 422 when the key was already used for a different request', async () => {
    const { app, called } = apiWith({ book: { kind: 'conflict' } });
    const response = await book(app);
    expect(response.status).toBe(422);
    expect(response.headers.get('location')).toBeNull();
    expect(((await response.json()) as ErrorBody).error).toContain(KEY);
    expect(called('findBooking')).toHaveLength(0);
  });

  it('answers a replayed key with 200, Idempotent-Replayed: true and the booking as it is now', async () => {
    const now = bookingRecord({ status: 'CONFIRMED', chargeId: 'ch_7' });
    const { app, called } = apiWith({ book: held(true), bookings: [now] });
    const response = await book(app);
    expect(response.status).toBe(200);
    expect(response.headers.get('idempotent-replayed')).toBe('true');
    expect(response.headers.get('location')).toBe(`/bookings/${KEY}`);
    expect(await response.json()).toEqual({ ...now, workflowId: `booking:${KEY}` });
    expect(called('findBooking').map((c) => c.args)).toEqual([[KEY]]);
  });

  it('answers a key whose saga has already ended with 200, Idempotent-Replayed: true and the booking row', async () => {
    const now = bookingRecord({ status: 'EXPIRED', chargeId: null });
    const { app } = apiWith({ book: { kind: 'ended' }, bookings: [now] });
    const response = await book(app);
    expect(response.status).toBe(200);
    expect(response.headers.get('idempotent-replayed')).toBe('true');
    expect(await response.json()).toEqual({ ...now, workflowId: `booking:${KEY}` });
  });

  it('answers a replayed key whose booking failed sold out with 409 and the seats left now', async () => {
    const { app } = apiWith({
      book: { kind: 'answered', reply: { hold: { status: 'FAILED' }, replayed: true } },
      bookings: [
        bookingRecord({ status: 'FAILED', chargeId: null, failureReason: SOLD_OUT_REASON }),
      ],
      events: [eventRecord({ availableSeats: 1 })],
    });
    const response = await book(app);
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: expect.stringContaining('sold out'),
      bookingId: KEY,
      availableSeats: 1,
    });
  });

  it('answers 400 naming eventId for an unknown event, starting nothing', async () => {
    const { app, called } = apiWith({ events: [] });
    const response = await book(app);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as ErrorBody;
    expect(fieldsOf(answer)).toEqual(['eventId']);
    expect(answer.issues?.[0]?.message).toContain(EVENT_ID);
    expect(called('findEvent').map((c) => c.args)).toEqual([[EVENT_ID]]);
    expect(called('book')).toHaveLength(0);
  });

  it('answers 409 for an event that has already started, starting nothing', async () => {
    const { app, called } = apiWith({
      events: [eventRecord({ startsAt: new Date(Date.now() - HOUR).toISOString() })],
    });
    const response = await book(app);
    expect(response.status).toBe(409);
    expect(((await response.json()) as ErrorBody).error).toContain('already started');
    expect(called('book')).toHaveLength(0);
  });

  describe('rejects a bad Idempotency-Key with 400 naming the header, calling nothing', () => {
    it.each([
      ['missing', null],
      ['too short', 'abc'],
      ['with forbidden characters', 'booking 7f3a/9c1e'],
    ])('%s', async (_case, key) => {
      const { app, calls } = apiWith();
      const response = await book(app, { key });
      expect(response.status).toBe(400);
      expect(fieldsOf((await response.json()) as ErrorBody)).toEqual(['header idempotency-key']);
      expect(calls).toEqual([]);
    });
  });

  describe('rejects a bad body with 400 naming the field, calling nothing', () => {
    it.each([
      ['seats 0', { ...validBooking(), seats: 0 }, 'seats'],
      ['seats 11', { ...validBooking(), seats: 11 }, 'seats'],
      ['eventId not a UUID', { ...validBooking(), eventId: 'event-1' }, 'eventId'],
      ['missing customerId', { eventId: EVENT_ID, seats: 2 }, 'customerId'],
      ['NUL in customerId', { ...validBooking(), customerId: 'c\u0000' }, 'customerId'],
      [
        'unpaired surrogate in customerId',
        { ...validBooking(), customerId: '\udfff' },
        'customerId',
      ],
    ])('%s', async (_case, body, field) => {
      const { app, calls } = apiWith();
      const response = await book(app, { body });
      expect(response.status).toBe(400);
      expect(fieldsOf((await response.json()) as ErrorBody)).toEqual([field]);
      expect(calls).toEqual([]);
    });
  });

  it('answers an unexpected failure with 500 without internals, and logs it', async () => {
    const { app, errors } = apiWith({
      book: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.7:7233');
      },
    });
    const response = await book(app);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal error' });
    expect(text).not.toContain('ECONNREFUSED');
    expect(errors).toHaveLength(1);
  });
});

describe('POST /bookings/:id/pay', () => {
  const pay = (app: Api, body: unknown = { paymentToken: 'tok_visa' }) =>
    postJson(app, `/bookings/${KEY}/pay`, body);

  it('answers 200 when the booking is confirmed, passing the token on', async () => {
    const { app, called } = apiWith({
      pay: { kind: 'answered', result: { status: 'CONFIRMED', chargeId: 'ch_42' } },
    });
    const response = await pay(app);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      bookingId: KEY,
      status: 'CONFIRMED',
      chargeId: 'ch_42',
    });
    expect(called('pay').map((c) => c.args)).toEqual([[KEY, 'tok_visa']]);
  });

  it('answers 402 with the failure type when the payment is declined', async () => {
    const { app } = apiWith({
      pay: {
        kind: 'answered',
        result: { status: 'FAILED', reason: { type: 'PaymentDeclined', message: 'card declined' } },
      },
    });
    const response = await pay(app, { paymentToken: 'tok_declined' });
    expect(response.status).toBe(402);
    expect(await response.json()).toEqual({
      error: 'card declined',
      bookingId: KEY,
      status: 'FAILED',
      type: 'PaymentDeclined',
    });
  });

  it('answers 409 passing the reason on when the saga rejects the payment', async () => {
    const { app } = apiWith({
      pay: { kind: 'rejected', reason: 'a payment is already in progress' },
    });
    const response = await pay(app);
    expect(response.status).toBe(409);
    expect(((await response.json()) as ErrorBody).error).toContain(
      'a payment is already in progress',
    );
  });

  it('answers 409 for an ended saga saying the hold expired and nothing was charged', async () => {
    const { app, called } = apiWith({
      pay: { kind: 'ended' },
      bookings: [bookingRecord({ status: 'EXPIRED', chargeId: null })],
    });
    const response = await pay(app);
    expect(response.status).toBe(409);
    const { error } = (await response.json()) as ErrorBody;
    expect(error).toContain(KEY);
    expect(error).toContain('hold expired');
    expect(error).toContain('nothing was charged');
    expect(called('findBooking').map((c) => c.args)).toEqual([[KEY]]);
  });

  it('answers 409 for an ended saga whose booking was cancelled, without claiming it expired', async () => {
    const { app } = apiWith({
      pay: { kind: 'ended' },
      bookings: [bookingRecord({ status: 'CANCELLED' })],
    });
    const response = await pay(app);
    expect(response.status).toBe(409);
    const { error } = (await response.json()) as ErrorBody;
    expect(error).toContain('cancelled');
    expect(error).not.toContain('nothing was charged');
  });

  it('answers 409 for an ended saga that has no booking row', async () => {
    const { app } = apiWith({ pay: { kind: 'ended' } });
    const response = await pay(app);
    expect(response.status).toBe(409);
    expect(((await response.json()) as ErrorBody).error).toContain('has ended');
  });

  it('answers 404 for an unknown booking', async () => {
    const { app } = apiWith({ pay: { kind: 'not-found' } });
    const response = await pay(app);
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).error).toContain(KEY);
  });

  it('rejects a request without paymentToken with 400 naming it, paying nothing', async () => {
    const { app, calls } = apiWith();
    const response = await pay(app, {});
    expect(response.status).toBe(400);
    expect(fieldsOf((await response.json()) as ErrorBody)).toEqual(['paymentToken']);
    expect(calls).toEqual([]);
  });

  it('rejects a malformed booking id with 400 naming the path parameter, paying nothing', async () => {
    const { app, calls } = apiWith();
    const response = await postJson(app, '/bookings/bad!id/pay', { paymentToken: 'tok_visa' });
    expect(response.status).toBe(400);
    expect(fieldsOf((await response.json()) as ErrorBody)).toEqual(['path id']);
    expect(calls).toEqual([]);
  });
});

describe('POST /bookings/:id/cancel', () => {
  const cancel = (app: Api, body?: object) =>
    app.request(`/bookings/${KEY}/cancel`, {
      method: 'POST',
      ...(body
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });

  it.each([true, false])(
    'answers 200 {status: CANCELLED, refunded: %s}, passing the reason on',
    async (refunded) => {
      const { app, called } = apiWith({ cancel: { kind: 'cancelled', refunded } });
      const response = await cancel(app, { reason: 'changed my mind' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ bookingId: KEY, status: 'CANCELLED', refunded });
      expect(called('cancel').map((c) => c.args)).toEqual([[KEY, 'changed my mind']]);
    },
  );

  it('works without a body', async () => {
    const { app, called } = apiWith({ cancel: { kind: 'cancelled', refunded: false } });
    const response = await cancel(app);
    expect(response.status).toBe(200);
    expect(called('cancel').map((c) => c.args)).toEqual([[KEY, undefined]]);
  });

  it('answers 409 with the reason when the saga rejects the cancellation', async () => {
    const { app } = apiWith({ cancel: { kind: 'rejected', reason: 'payment in progress' } });
    const response = await cancel(app);
    expect(response.status).toBe(409);
    expect(((await response.json()) as ErrorBody).error).toContain('payment in progress');
  });

  it('answers 409 for an ended saga, saying how the booking ended', async () => {
    const { app } = apiWith({
      cancel: { kind: 'ended' },
      bookings: [bookingRecord({ status: 'EXPIRED', chargeId: null })],
    });
    const response = await cancel(app);
    expect(response.status).toBe(409);
    expect(((await response.json()) as ErrorBody).error).toContain('expired');
  });

  it('answers 404 for an unknown booking', async () => {
    const { app } = apiWith({ cancel: { kind: 'not-found' } });
    expect((await cancel(app)).status).toBe(404);
  });

  it('rejects an over-long reason with 400 naming the field, cancelling nothing', async () => {
    const { app, calls } = apiWith();
    const response = await cancel(app, { reason: 'x'.repeat(201) });
    expect(response.status).toBe(400);
    expect(fieldsOf((await response.json()) as ErrorBody)).toEqual(['reason']);
    expect(calls).toEqual([]);
  });
});

describe('GET /bookings/:id', () => {
  it('answers 200 with the booking row and its workflow id', async () => {
    const row = bookingRecord({ status: 'HELD', chargeId: null });
    const { app, called } = apiWith({ bookings: [row], sagaStatus: 'CONFIRMED' });
    const response = await app.request(`/bookings/${KEY}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...row, workflowId: `booking:${KEY}` });
    expect(called('sagaStatus')).toHaveLength(0);
  });

  it('falls back to the saga status when there is no row yet', async () => {
    const { app, called } = apiWith({ sagaStatus: 'PENDING' });
    const response = await app.request(`/bookings/${KEY}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      id: KEY,
      workflowId: `booking:${KEY}`,
      status: 'PENDING',
    });
    expect(called('sagaStatus').map((c) => c.args)).toEqual([[KEY]]);
  });

  it('answers 404 when there is neither a row nor a saga', async () => {
    const { app } = apiWith({ sagaStatus: null });
    const response = await app.request(`/bookings/${KEY}`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as ErrorBody).error).toContain(KEY);
  });

  it('rejects a malformed id with 400 naming the path parameter, querying nothing', async () => {
    const { app, calls } = apiWith();
    const response = await app.request('/bookings/bad!id');
    expect(response.status).toBe(400);
    expect(fieldsOf((await response.json()) as ErrorBody)).toEqual(['path id']);
    expect(calls).toEqual([]);
  });
});

describe('GET /admin/consistency', () => {
  it('returns the report of the consistency check', async () => {
    const { app, called } = apiWith();
    const response = await app.request('/admin/consistency');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(REPORT);
    expect(called('checkConsistency')).toHaveLength(1);
  });
});

describe('documentation and wiring', () => {
  it('GET /openapi.json lists the event, booking and admin paths with their methods', async () => {
    const { app, calls } = apiWith();
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    const spec = (await response.json()) as { paths: Record<string, object> };
    const methods = Object.fromEntries(
      Object.entries(spec.paths).map(([path, ops]) => [path, Object.keys(ops).sort()]),
    );
    expect(methods).toMatchObject({
      '/events': ['post'],
      '/events/{id}': ['get'],
      '/bookings': ['post'],
      '/bookings/{id}': ['get'],
      '/bookings/{id}/pay': ['post'],
      '/bookings/{id}/cancel': ['post'],
      '/admin/consistency': ['get'],
      '/orders': ['post'],
    });
    expect(calls).toEqual([]);
  });

  it('without booking deps or a consistency check, those routes are absent', async () => {
    const app = createApp({ orderCommands: {} as OrderCommands, orderQueries: {} as OrderQueries });
    expect((await app.request(`/events/${EVENT_ID}`)).status).toBe(404);
    expect((await app.request(`/bookings/${KEY}`)).status).toBe(404);
    expect((await app.request('/admin/consistency')).status).toBe(404);
    const spec = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, object>;
    };
    expect(
      Object.keys(spec.paths).filter((p) => !p.startsWith('/orders') && p !== '/products'),
    ).toEqual([]);
  });
});
