import { OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { EventLogQueries } from '../../activities/outbox/event-log.queries.js';
import { EventLogPageSchema, EventLogQuery, OutboxStatusSchema } from './event-log.schemas.js';
import { ErrorSchema } from '../http/common.schemas.js';
import { validationHook } from '../http/validation.js';
import { json } from '../http/json.js';

const readLogRoute = createRoute({
  method: 'get',
  path: '/event-log',
  tags: ['event log'],
  summary: 'Page through the published domain events in order (catch up from a sequence number)',
  description:
    'The event log: every event the relay published to Kafka, numbered in publish order. A reader ' +
    'that remembers the last sequence it saw resumes with `after=<it>`; a new reader starts at 0.',
  request: { query: EventLogQuery },
  responses: {
    200: json(EventLogPageSchema, 'Up to `limit` events with a sequence above `after`'),
    400: json(ErrorSchema, 'Invalid query'),
  },
});

const outboxStatusRoute = createRoute({
  method: 'get',
  path: '/admin/outbox',
  tags: ['admin'],
  summary: 'Outbox backlog and the relay as Temporal sees it (state, attempt, last error)',
  responses: { 200: json(OutboxStatusSchema, 'Backlog and relay status') },
});

export function createEventLogRoutes({ queries }: { queries: EventLogQueries }) {
  const app = new OpenAPIHono({ defaultHook: validationHook });

  app.openapi(readLogRoute, async (c) => {
    const query = c.req.valid('query');
    const events = await queries.readLog({
      ...query,
      after: BigInt(query.after),
      eventType: query.type,
    });
    const last = events.at(-1);
    const next =
      last && events.length === query.limit
        ? `/event-log?${new URLSearchParams({
            ...(query.type && { type: query.type }),
            ...(query.aggregateType && { aggregateType: query.aggregateType }),
            ...(query.aggregateId && { aggregateId: query.aggregateId }),
            after: last.logSequence,
            limit: String(query.limit),
          })}`
        : null;
    return c.json(
      {
        events: events.map((event) => ({
          sequence: Number(event.logSequence),
          id: event.id,
          aggregateType: event.aggregateType,
          aggregateId: event.aggregateId,
          eventType: event.eventType,
          schemaVersion: event.schemaVersion,
          correlationId: event.correlationId,
          occurredAt: event.occurredAt,
          publishedAt: event.publishedAt,
          payload: event.payload,
        })),
        next,
      },
      200,
    );
  });

  app.openapi(outboxStatusRoute, async (c) => c.json(await queries.outboxStatus(), 200));

  return app;
}
