import type { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bookingWorkflowId } from '../../workflows/contracts/names.js';
import type { HoldResult } from '../../workflows/bookings/booking.types.js';
import type { BookingCommands, PayOutcome } from './booking.commands.js';
import {
  wasSoldOut,
  type BookingQueries,
  type BookingRecord,
} from '../../activities/bookings/booking.queries.js';
import type { BookingSchema, BookSeatsBody } from './bookings.schemas.js';
import { fingerprintOf } from '../http/fingerprint.js';
import { invalidRequest, keyAlreadyUsed, notFound } from '../http/error-responses.js';

/** What the booking handlers read and command; the routes' deps supply it. */
export interface BookingHandlerDeps {
  commands: BookingCommands;
  queries: BookingQueries;
}

/** What a new booking saga is given besides the request: how long it holds, how long it may charge. */
export interface HoldDeadlines {
  holdSeconds: number;
  paymentDeadlineSeconds: number;
}

type BookingView = z.infer<typeof BookingSchema>;
type BookSeats = z.infer<typeof BookSeatsBody>;

/** Why a pay or cancel Update got no answer from a running saga (the same for both). */
type UpdateRefusal = Exclude<PayOutcome, { kind: 'answered' }>;

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

const endedMessage = (booking: BookingRecord) =>
  `booking "${booking.id}" is ${booking.status.toLowerCase()}${booking.status === 'EXPIRED' ? ': the hold expired and nothing was charged' : ''}`;

/** `POST /bookings`: checks the event, starts the saga (or finds it) and answers with its hold. */
export async function bookSeats(
  c: Context,
  { commands, queries, holdSeconds, paymentDeadlineSeconds }: BookingHandlerDeps & HoldDeadlines,
  bookingId: string,
  body: BookSeats,
) {
  const found = await queries.findEvent(body.eventId);
  if (!found)
    return invalidRequest(c, [{ field: 'eventId', message: `unknown event "${body.eventId}"` }]);
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
  if (outcome.kind === 'conflict') return keyAlreadyUsed(c, bookingId);
  c.header('Location', `/bookings/${bookingId}`);
  if (outcome.kind === 'answered' && !outcome.reply.replayed) {
    const answer = freshHoldAnswer(c, bookingId, body, outcome.reply.hold);
    if (answer) return answer;
  }
  // A repeated key (or a hold that failed): report the booking as it is now.
  c.header('Idempotent-Replayed', String(outcome.kind === 'ended' || outcome.reply.replayed));
  return bookingAsItIsNow(c, queries, bookingId, body.seats, found.event.availableSeats);
}

/** A first answer: 201 with the held seats, or 409 sold out; nothing for a hold that failed. */
function freshHoldAnswer(c: Context, bookingId: string, body: BookSeats, hold: HoldResult) {
  if (hold.status === 'SOLD_OUT') return soldOut(c, bookingId, hold.availableSeats, body.seats);
  if (hold.status === 'HELD') {
    const held = {
      id: bookingId,
      workflowId: bookingWorkflowId(bookingId),
      status: hold.status,
      ...body,
    };
    return c.json({ ...held, totalCents: hold.totalCents, holdExpiresAt: hold.holdExpiresAt }, 201);
  }
  return undefined;
}

/** What its booking row says (sold out, or the booking); a saga without a row has failed. */
async function bookingAsItIsNow(
  c: Context,
  queries: BookingQueries,
  bookingId: string,
  seats: number,
  availableSeats: number,
) {
  const current = await queries.findBooking(bookingId);
  if (current && wasSoldOut(current)) return soldOut(c, bookingId, availableSeats, seats);
  return c.json(
    current
      ? view(current)
      : { id: bookingId, workflowId: bookingWorkflowId(bookingId), status: 'FAILED' as const },
    200,
  );
}

/** `POST /bookings/{id}/pay`: 200 confirmed, 402 failed (seats released), or why it could not. */
export async function payForBooking(
  c: Context,
  { commands, queries }: BookingHandlerDeps,
  id: string,
  paymentToken: string,
) {
  const outcome = await commands.pay(id, paymentToken);
  if (outcome.kind !== 'answered') return refused(c, queries, id, 'pay for', outcome);
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
}

/** `POST /bookings/{id}/cancel`: 200 with whether a payment was refunded, or why it could not. */
export async function cancelBooking(
  c: Context,
  { commands, queries }: BookingHandlerDeps,
  id: string,
  reason: string | undefined,
) {
  const outcome = await commands.cancel(id, reason);
  if (outcome.kind !== 'cancelled') return refused(c, queries, id, 'cancel', outcome);
  return c.json({ bookingId: id, status: 'CANCELLED' as const, refunded: outcome.refunded }, 200);
}

/** 404 for no such booking; 409 for an Update the saga rejected, or a saga that has ended. */
async function refused(
  c: Context,
  queries: BookingQueries,
  id: string,
  action: 'pay for' | 'cancel',
  refusal: UpdateRefusal,
) {
  if (refusal.kind === 'not-found') return notFound(c, 'booking', id);
  if (refusal.kind === 'rejected')
    return c.json({ error: `cannot ${action} booking "${id}": ${refusal.reason}` }, 409);
  const booking = await queries.findBooking(id);
  return c.json({ error: booking ? endedMessage(booking) : `booking "${id}" has ended` }, 409);
}

/** `GET /bookings/{id}`: the booking row, or for a saga without one, what its execution shows. */
export async function getBooking(
  c: Context,
  { commands, queries }: BookingHandlerDeps,
  id: string,
) {
  const booking = await queries.findBooking(id);
  if (booking) return c.json(view(booking), 200);
  const status = await commands.sagaStatus(id);
  if (status) return c.json({ id, workflowId: bookingWorkflowId(id), status }, 200);
  return notFound(c, 'booking', id);
}
