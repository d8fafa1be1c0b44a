import { z } from '@hono/zod-openapi';
import { KEY_PATTERN, KEY_RULE, PAYMENT_TRAIL_FIELDS } from '../orders/orders.schemas.js';

export const CreateEventBody = z
  .object({
    title: z.string().trim().min(1).max(200).openapi({ example: 'Temporal Meetup' }),
    startsAt: z.iso
      .datetime({
        offset: true,
        error: 'expected an ISO 8601 date-time, e.g. 2027-01-31T19:00:00Z',
      })
      .refine((value) => Date.parse(value) > Date.now(), 'must be in the future')
      .openapi({ example: '2027-01-31T19:00:00Z' }),
    totalSeats: z.number().int().min(1).max(100_000).openapi({ example: 100 }),
    priceCents: z
      .number()
      .int()
      .min(0)
      .max(10_000_000)
      .openapi({ example: 2_500, description: 'Price per seat' }),
  })
  .openapi('CreateEventRequest');

export const EventIdParam = z.object({
  id: z
    .uuid('expected an event id (a UUID)')
    .openapi({
      param: { name: 'id', in: 'path' },
      example: '0b7d6c1e-8f0a-4a57-9d43-2f1c3e9b5a10',
    }),
});

export const EventSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    startsAt: z.string(),
    priceCents: z.number().int(),
    totalSeats: z.number().int(),
    availableSeats: z.number().int(),
  })
  .openapi('Event');

export const BookSeatsBody = z
  .object({
    eventId: z.uuid('expected an event id (a UUID)'),
    customerId: z.string().min(1).max(64).openapi({ example: 'customer-42' }),
    seats: z.number().int().min(1).max(10).openapi({ example: 2 }),
  })
  .openapi('BookSeatsRequest');

export const BookingIdParam = z.object({
  id: z
    .string()
    .regex(KEY_PATTERN, KEY_RULE)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'booking-7f3a9c1e' }),
});

export const PayBookingBody = z
  .object({
    paymentToken: z
      .string()
      .min(1)
      .max(128)
      .openapi({
        example: 'tok_visa',
        description: 'tok_declined is always declined by the local gateway',
      }),
  })
  .openapi('PayBookingRequest');

const BookingStatusSchema = z.enum([
  'PENDING',
  'HELD',
  'CONFIRMED',
  'EXPIRED',
  'CANCELLED',
  'FAILED',
]);

export const BookingSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    status: BookingStatusSchema,
    eventId: z.string().optional(),
    customerId: z.string().optional(),
    seats: z.number().int().optional(),
    totalCents: z.number().int().optional(),
    holdExpiresAt: z.string().optional(),
    ...PAYMENT_TRAIL_FIELDS,
  })
  .openapi('Booking');

export const SoldOutSchema = z
  .object({ error: z.string(), bookingId: z.string(), availableSeats: z.number().int() })
  .openapi('SoldOut');

export const PaymentConfirmedSchema = z
  .object({ bookingId: z.string(), status: z.literal('CONFIRMED'), chargeId: z.string() })
  .openapi('PaymentConfirmed');

export const PaymentFailedSchema = z
  .object({
    error: z.string(),
    bookingId: z.string(),
    status: z.literal('FAILED'),
    type: z.string(),
  })
  .openapi('PaymentFailed');

export const BookingCancelledSchema = z
  .object({ bookingId: z.string(), status: z.literal('CANCELLED'), refunded: z.boolean() })
  .openapi('BookingCancelled');
