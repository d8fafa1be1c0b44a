import type { Context } from 'hono';

/** One bad field of a request, as every 400 names it. */
export interface RequestIssue {
  field: string;
  message: string;
}

/** 400 naming each bad field: the same shape whether the schema or a lookup found it. */
export const invalidRequest = (c: Context, issues: RequestIssue[]) =>
  c.json({ error: 'invalid request', issues }, 400);

/** 404 for an id that names nothing (`what` is the resource: "order", "booking"). */
export const notFound = (c: Context, what: string, id: string) =>
  c.json({ error: `${what} "${id}" not found` }, 404);

/** 422: the Idempotency-Key was already used for a request with a different body. */
export const keyAlreadyUsed = (c: Context, key: string) =>
  c.json({ error: `Idempotency-Key "${key}" was already used for a different request` }, 422);
