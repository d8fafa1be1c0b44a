import type { z } from '@hono/zod-openapi';

/** An OpenAPI JSON response with its schema. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
