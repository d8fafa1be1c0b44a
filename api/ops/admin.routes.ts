import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ConsistencyReport } from '../../activities/ops/consistency.check.js';
import { json } from '../http/json.js';

const ConsistencyReportSchema = z
  .object({
    ok: z.boolean(),
    checked: z.object({
      events: z.number().int(),
      bookings: z.number().int(),
      charges: z.number().int(),
    }),
    offenders: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('ConsistencyReport');

const consistencyRoute = createRoute({
  method: 'get',
  path: '/admin/consistency',
  tags: ['admin'],
  summary: 'Do seats and charges add up? (run it on a quiet system: a saga between steps shows up)',
  responses: {
    200: json(ConsistencyReportSchema, 'The report; ok is false and offenders lists each mismatch'),
  },
});

export function createAdminRoutes({
  checkConsistency,
}: {
  checkConsistency: () => Promise<ConsistencyReport>;
}) {
  const app = new OpenAPIHono();
  app.openapi(consistencyRoute, async (c) => c.json(await checkConsistency(), 200));
  return app;
}
