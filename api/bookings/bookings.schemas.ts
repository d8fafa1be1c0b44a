import { z } from '@hono/zod-openapi';
import {
  clientText,
  KEY_PATTERN,
  KEY_RULE,
  PAYMENT_TRAIL_FIELDS,
  PaymentTokenSchema,
} from '../http/common.schemas.js';

export const BookSeatsBody = z
  .object({
    eventId: z.uuid('expected an event id (a UUID)'),
    customerId: clientText(1, 64).openapi({ example: 'customer-42' }),
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
    paymentToken: PaymentTokenSchema,
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
