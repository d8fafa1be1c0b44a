import { OpenAPIHono, createRoute, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bookingWorkflowId } from '../../workflows/contracts/names.js';
import type { BookingCommands } from './booking.commands.js';
import {
  wasSoldOut,
  type BookingQueries,
  type BookingRecord,
} from '../../activities/bookings/booking.queries.js';
import type { EventCommands } from '../../activities/bookings/event.commands.js';
import {
  BookingCancelledSchema,
  BookingIdParam,
  BookingSchema,
  BookSeatsBody,
  PaymentConfirmedSchema,
  PaymentFailedSchema,
  PayBookingBody,
  SoldOutSchema,
} from './bookings.schemas.js';
import { fingerprintOf } from '../http/fingerprint.js';
import { CancelBody, ErrorSchema, IdempotencyKeyHeader } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import { json } from '../http/json.js';

export interface BookingRouteDeps {
  commands: BookingCommands;
  queries: BookingQueries;
  /** Creating ticketed events (`POST /events`). */
  eventCommands: EventCommands;
  holdSeconds: number;
  paymentDeadlineSeconds: number;
}

const bookRoute = createRoute({
  method: 'post',
  path: '/bookings',
  tags: ['bookings'],
  summary: 'Hold seats: starts a booking saga and answers once the seats are held (or sold out)',
  request: {
    headers: IdempotencyKeyHeader,
    body: { content: { 'application/json': { schema: BookSeatsBody } }, required: true },
  },
  responses: {
    201: json(BookingSchema, 'Seats held until holdExpiresAt; pay before then'),
    200: json(BookingSchema, 'A repeated Idempotency-Key: the booking as it is now'),
    400: json(ErrorSchema, 'Invalid request (or unknown event); nothing was written'),
    409: json(
      SoldOutSchema.or(ErrorSchema),
      'Sold out (too few seats left), or the event has already started',
    ),
    422: json(ErrorSchema, 'The Idempotency-Key was already used for a different request'),
  },
});

const payRoute = createRoute({
  method: 'post',
  path: '/bookings/{id}/pay',
  tags: ['bookings'],
  summary: 'Pay for held seats; answers once the booking is confirmed, or with why not',
  request: {
    params: BookingIdParam,
    body: { content: { 'application/json': { schema: PayBookingBody } }, required: true },
  },
  responses: {
    200: json(PaymentConfirmedSchema, 'Charged and confirmed (a repeat gets the same answer)'),
    400: json(ErrorSchema, 'Invalid request'),
    402: json(PaymentFailedSchema, 'Payment failed (e.g. declined); the seats were released'),
    404: json(ErrorSchema, 'No such booking'),
    409: json(
      ErrorSchema,
      'Not payable: the hold expired (nothing was charged), or the booking was cancelled or has failed',
    ),
  },
});

const cancelRoute = createRoute({
  method: 'post',
  path: '/bookings/{id}/cancel',
  tags: ['bookings'],
  summary: 'Cancel a held or confirmed booking: the seats go back, a payment is refunded',
  request: {
    params: BookingIdParam,
    body: { content: { 'application/json': { schema: CancelBody } }, required: false },
  },
  responses: {
    200: json(BookingCancelledSchema, 'Cancelled'),
    400: json(ErrorSchema, 'Invalid request'),
    404: json(ErrorSchema, 'No such booking'),
    409: json(ErrorSchema, 'Not cancellable now (being paid for, or already ended)'),
  },
});

const getBookingRoute = createRoute({
  method: 'get',
  path: '/bookings/{id}',
  tags: ['bookings'],
  summary: 'A booking and its status',
  request: { params: BookingIdParam },
  responses: {
    200: json(BookingSchema, 'The booking'),
    400: json(ErrorSchema, 'Invalid booking id'),
    404: json(ErrorSchema, 'No such booking'),
  },
});

type BookingView = z.infer<typeof BookingSchema>;

const endedMessage = (booking: BookingRecord) =>
  `booking "${booking.id}" is ${booking.status.toLowerCase()}${booking.status === 'EXPIRED' ? ': the hold expired and nothing was charged' : ''}`;

export function createBookingRoutes({
  commands,
  queries,
  holdSeconds,
  paymentDeadlineSeconds,
}: BookingRouteDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  const view = (booking: BookingRecord): BookingView => ({
    ...booking,
    workflowId: bookingWorkflowId(booking.id),
  });
  const soldOut = (c: Context, bookingId: string, availableSeats: number, seats: number) =>
    c.json(
      {
        error: `sold out: ${seats} seat(s) requested, ${availableSeats} left`,
        bookingId,
        availableSeats,
      },
      409,
    );

  /** For a saga that has ended: what its booking row says, or that it never got that far. */
  const currentView = async (id: string): Promise<BookingView | null> => {
    const booking = await queries.findBooking(id);
    if (booking) return view(booking);
    const status = await commands.sagaStatus(id);
    return status ? { id, workflowId: bookingWorkflowId(id), status } : null;
  };

  app.openapi(bookRoute, async (c) => {
    const bookingId = c.req.valid('header')['idempotency-key'];
    const body = c.req.valid('json');
    const found = await queries.findEvent(body.eventId);
    if (!found)
      return c.json(
        {
          error: 'invalid request',
          issues: [{ field: 'eventId', message: `unknown event "${body.eventId}"` }],
        },
        400,
      );
    if (Date.parse(found.event.startsAt) <= Date.now())
      return c.json({ error: `event "${body.eventId}" has already started` }, 409);

    const requestFingerprint = fingerprintOf([body.eventId, body.customerId, body.seats]);
    const outcome = await commands.book({
      bookingId,
      ...body,
      holdSeconds,
      paymentDeadlineSeconds,
      requestFingerprint,
    });
    if (outcome.kind === 'conflict') {
      return c.json(
        { error: `Idempotency-Key "${bookingId}" was already used for a different request` },
        422,
      );
    }
    c.header('Location', `/bookings/${bookingId}`);
    if (outcome.kind === 'answered' && !outcome.reply.replayed) {
      const { hold } = outcome.reply;
      if (hold.status === 'SOLD_OUT') return soldOut(c, bookingId, hold.availableSeats, body.seats);
      if (hold.status === 'HELD') {
        const held = {
          id: bookingId,
          workflowId: bookingWorkflowId(bookingId),
          status: hold.status,
          ...body,
        };
        return c.json(
          { ...held, totalCents: hold.totalCents, holdExpiresAt: hold.holdExpiresAt },
          201,
        );
      }
    }
    // A repeated key (or a hold that failed): report the booking as it is now.
    c.header('Idempotent-Replayed', String(outcome.kind === 'ended' || outcome.reply.replayed));
    const current = await queries.findBooking(bookingId);
    if (current && wasSoldOut(current)) {
      return soldOut(c, bookingId, found.event.availableSeats, body.seats);
    }
    return c.json(
      current
        ? view(current)
        : { id: bookingId, workflowId: bookingWorkflowId(bookingId), status: 'FAILED' as const },
      200,
    );
  });

  app.openapi(payRoute, async (c) => {
    const { id } = c.req.valid('param');
    const outcome = await commands.pay(id, c.req.valid('json').paymentToken);
    if (outcome.kind === 'not-found') return c.json({ error: `booking "${id}" not found` }, 404);
    if (outcome.kind === 'rejected')
      return c.json({ error: `cannot pay for booking "${id}": ${outcome.reason}` }, 409);
    if (outcome.kind === 'ended') {
      const booking = await queries.findBooking(id);
      return c.json({ error: booking ? endedMessage(booking) : `booking "${id}" has ended` }, 409);
    }
    const { result } = outcome;
    if (result.status === 'FAILED') {
      return c.json(
        {
          error: result.reason.message,
          bookingId: id,
          status: result.status,
          type: result.reason.type,
        },
        402,
      );
    }
    return c.json({ bookingId: id, status: result.status, chargeId: result.chargeId }, 200);
  });

  app.openapi(cancelRoute, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json') ?? {};
    const outcome = await commands.cancel(id, reason);
    if (outcome.kind === 'not-found') return c.json({ error: `booking "${id}" not found` }, 404);
    if (outcome.kind === 'rejected')
      return c.json({ error: `cannot cancel booking "${id}": ${outcome.reason}` }, 409);
    if (outcome.kind === 'ended') {
      const booking = await queries.findBooking(id);
      return c.json({ error: booking ? endedMessage(booking) : `booking "${id}" has ended` }, 409);
    }
    return c.json({ bookingId: id, status: 'CANCELLED' as const, refunded: outcome.refunded }, 200);
  });

  app.openapi(getBookingRoute, async (c) => {
    const { id } = c.req.valid('param');
    const booking = await currentView(id);
    return booking ? c.json(booking, 200) : c.json({ error: `booking "${id}" not found` }, 404);
  });

  return app;
}
