import { z } from '@hono/zod-openapi';

export const CustomerIdParam = z.object({
  customerId: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'customerId', in: 'path' }, example: 'customer-42' }),
});

/** One order's or booking's row of the saga view (its OpenAPI name predates bookings). */
export const SagaViewSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['order', 'booking']),
    status: z.string(),
    customerId: z.string().nullable(),
    totalCents: z.number().int().nullable(),
    details: z.record(z.string(), z.unknown()),
    lastEventType: z.string(),
    eventCount: z.number().int(),
    updatedAt: z.string(),
  })
  .openapi('OrderView');

export const LoyaltySchema = z
  .object({
    customerId: z.string(),
    points: z.number().int(),
    awards: z.array(
      z.object({ kind: z.string(), id: z.string(), points: z.number().int(), status: z.string() }),
    ),
  })
  .openapi('LoyaltyAccount');
