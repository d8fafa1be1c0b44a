import { z } from '@hono/zod-openapi';

export const MAX_LOG_PAGE = 1_000;

const integerText = (what: string) => z.string().regex(/^\d{1,18}$/, `expected ${what}`);

export const EventLogQuery = z.object({
  after: integerText('a sequence number (an integer ≥ 0)')
    .default('0')
    .openapi({
      param: { name: 'after', in: 'query' },
      example: '0',
      description: 'Events with a greater sequence',
    }),
  limit: integerText(`a page size of 1 to ${MAX_LOG_PAGE}`)
    .default('100')
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, `limit must be 1 to ${MAX_LOG_PAGE}`)
        .max(MAX_LOG_PAGE, `limit must be 1 to ${MAX_LOG_PAGE}`),
    )
    .openapi({ param: { name: 'limit', in: 'query' }, example: '100' }),
  type: z
    .string()
    .regex(/^[A-Za-z]{1,64}$/, 'expected an event type, e.g. OrderConfirmed')
    .optional()
    .openapi({ param: { name: 'type', in: 'query' }, example: 'OrderConfirmed' }),
  aggregateType: z
    .enum(['order', 'booking', 'event'], 'expected order, booking or event')
    .optional()
    .openapi({ param: { name: 'aggregateType', in: 'query' } }),
  aggregateId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ param: { name: 'aggregateId', in: 'query' } }),
});

export const LoggedEventSchema = z
  .object({
    sequence: z
      .number()
      .int()
      .openapi({ description: 'Global position in the event log (publish order)' }),
    id: z.string(),
    aggregateType: z.string(),
    aggregateId: z.string(),
    eventType: z.string(),
    schemaVersion: z.number().int(),
    correlationId: z.string().nullable().openapi({ description: 'The workflow id of the saga' }),
    occurredAt: z.string(),
    publishedAt: z.string(),
    payload: z.record(z.string(), z.unknown()),
  })
  .openapi('LoggedEvent');

export const EventLogPageSchema = z
  .object({
    events: z.array(LoggedEventSchema),
    next: z.string().nullable().openapi({
      description: 'The link to the next page; null when this page was not full (caught up)',
    }),
  })
  .openapi('EventLogPage');

export const OutboxStatusSchema = z
  .object({
    backlog: z.object({
      unpublished: z.number().int(),
      oldestUnpublishedAgeMs: z.number().nullable(),
      lastSequence: z.number().int().nullable(),
      lastPublishedAt: z.string().nullable(),
    }),
    relay: z.object({
      workflowId: z.string(),
      workflowStatus: z.string().nullable(),
      activity: z
        .object({
          state: z.string(),
          attempt: z.number().int(),
          lastHeartbeatAt: z.string().nullable(),
          lastFailure: z.string().nullable(),
          status: z.record(z.string(), z.unknown()).nullable(),
        })
        .nullable(),
    }),
  })
  .openapi('OutboxStatus');
