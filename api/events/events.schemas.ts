import { z } from '@hono/zod-openapi';
import { clientText } from '../http/common.schemas.js';

export const CreateEventBody = z
  .object({
    title: clientText(1, 200, { trim: true }).openapi({ example: 'Temporal Meetup' }),
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
  id: z.uuid('expected an event id (a UUID)').openapi({
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
