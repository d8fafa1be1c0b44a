import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { runHealthChecks, type HealthCheck } from './health.checks.js';
import { json } from '../http/json.js';

export interface HealthDeps {
  checks: readonly HealthCheck[];
  /** How long each check may take before it counts as down. */
  timeoutMs?: number;
}

const LiveSchema = z.object({ status: z.literal('ok') }).openapi('Liveness');

const CheckResultSchema = z
  .object({
    status: z.enum(['up', 'down']),
    latencyMs: z.number().int().openapi({ example: 3 }),
    error: z.string().optional().openapi({
      description: 'Why the check failed (only when down)',
      example: 'connect ECONNREFUSED 127.0.0.1:9092',
    }),
  })
  .openapi('HealthCheckResult');

const checksSchema = z.record(z.string(), CheckResultSchema).openapi({
  description: 'One entry per dependency: postgres, temporal, kafka, redis',
});

const ReadySchema = z
  .object({ status: z.enum(['ready', 'degraded']), checks: checksSchema })
  .openapi('Readiness');

const UnreadySchema = z
  .object({ status: z.literal('unready'), checks: checksSchema })
  .openapi('Unreadiness');

const liveRoute = createRoute({
  method: 'get',
  path: '/health/live',
  tags: ['health'],
  summary: 'Liveness: the process serves HTTP (checks no dependency)',
  description:
    'Answers 200 as long as the process can answer at all. Restart the process only when this ' +
    'fails; a dependency outage is what `/health/ready` reports.',
  responses: { 200: json(LiveSchema, 'The process is alive') },
});

const readyRoute = createRoute({
  method: 'get',
  path: '/health/ready',
  tags: ['health'],
  summary: 'Readiness: can the API serve? Checks Postgres, Temporal, Kafka and Redis in parallel',
  description:
    'Each dependency is checked at once, each with a short timeout (a check that times out is ' +
    'down). **Postgres or Temporal down → 503 `unready`**: commands and reads cannot work, take ' +
    'the instance out of rotation. **Redis down → 200 `degraded`**: reads fall back to Postgres. ' +
    '**Kafka down → 200 `degraded`** on purpose: orders, bookings, payments and cancels still ' +
    'succeed while Kafka is down, because their events wait in the outbox until the relay can ' +
    'publish them. Failing readiness for Kafka would take every API instance out of rotation ' +
    'during a broker outage and turn a delay in event delivery into a full outage. ' +
    '`GET /admin/outbox` shows the backlog meanwhile.',
  responses: {
    200: json(ReadySchema, '`ready` (all up) or `degraded` (Redis or Kafka down)'),
    503: json(UnreadySchema, 'Postgres or Temporal is down; `checks` names which, with its error'),
  },
});

export function createHealthRoutes({ checks, timeoutMs = 1_000 }: HealthDeps) {
  const app = new OpenAPIHono();

  app.openapi(liveRoute, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(readyRoute, async (c) => {
    const report = await runHealthChecks(checks, timeoutMs);
    c.header('Cache-Control', 'no-store');
    return report.status === 'unready'
      ? c.json({ status: report.status, checks: report.checks }, 503)
      : c.json({ status: report.status, checks: report.checks }, 200);
  });

  return app;
}
