import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { BookingQueries, EventRecord } from '../../activities/bookings/booking.queries.js';
import type { EventCommands } from '../../activities/bookings/event.commands.js';
import { CreateEventBody, EventIdParam, EventSchema } from './events.schemas.js';
import { ErrorSchema } from '../http/common.schemas.js';
import { json } from '../http/json.js';
import { validationHook } from '../http/validation.js';

const createEventRoute = createRoute({
  method: 'post',
  path: '/events',
  tags: ['events'],
  summary: 'Create an event with a fixed number of seats',
  request: {
    body: { content: { 'application/json': { schema: CreateEventBody } }, required: true },
  },
  responses: {
    201: json(EventSchema, 'The event, all seats available'),
    400: json(ErrorSchema, 'Invalid request; nothing was written'),
  },
});

const getEventRoute = createRoute({
  method: 'get',
  path: '/events/{id}',
  tags: ['events'],
  summary: 'An event and its seat availability (served from the Redis cache when it can be)',
  request: { params: EventIdParam },
  responses: {
    200: {
      ...json(EventSchema, 'The event'),
      headers: {
        'X-Cache': {
          description:
            'HIT (from Redis), MISS (from Postgres, now cached) or BYPASS (Redis unavailable; from Postgres)',
          schema: { type: 'string' },
        },
      },
    },
    400: json(ErrorSchema, 'Invalid event id'),
    404: json(ErrorSchema, 'No such event'),
  },
});

/** What callers see of an event: the cache's version counter stays inside. */
export const eventView = ({ version: _version, ...event }: EventRecord) => event;

/** Ticketed events: created directly (no saga holds anything yet), read through the cache. */
export function createEventRoutes({
  commands,
  queries,
}: {
  commands: EventCommands;
  queries: BookingQueries;
}) {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.openapi(createEventRoute, async (c) => {
    const event = await commands.createTicketedEvent(c.req.valid('json'));
    c.header('Location', `/events/${event.id}`);
    return c.json(eventView(event), 201);
  });

  app.openapi(getEventRoute, async (c) => {
    const { id } = c.req.valid('param');
    const found = await queries.findEvent(id);
    if (!found) return c.json({ error: `event "${id}" not found` }, 404);
    c.header('X-Cache', found.cache);
    return c.json(eventView(found.event), 200);
  });

  return app;
}
