import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
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
import {
  bookSeats,
  cancelBooking,
  getBooking,
  payForBooking,
  type BookingHandlerDeps,
  type HoldDeadlines,
} from './bookings.handlers.js';
import { CancelBody, ErrorSchema, IdempotencyKeyHeader } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import { json } from '../http/json.js';

export interface BookingRouteDeps extends BookingHandlerDeps, HoldDeadlines {
  /** Creating ticketed events (`POST /events`). */
  eventCommands: EventCommands;
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

/** Hold seats, pay, cancel and read bookings; each route validates, then hands over to its handler. */
export function createBookingRoutes(deps: BookingRouteDeps) {
  const app = new OpenAPIHono({ defaultHook: validationHook });
  app.openapi(bookRoute, (c) =>
    bookSeats(c, deps, c.req.valid('header')['idempotency-key'], c.req.valid('json')),
  );
  app.openapi(payRoute, (c) =>
    payForBooking(c, deps, c.req.valid('param').id, c.req.valid('json').paymentToken),
  );
  app.openapi(cancelRoute, (c) =>
    cancelBooking(c, deps, c.req.valid('param').id, (c.req.valid('json') ?? {}).reason),
  );
  app.openapi(getBookingRoute, (c) => getBooking(c, deps, c.req.valid('param').id));
  return app;
}
