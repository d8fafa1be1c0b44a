import type { Hook } from '@hono/zod-openapi';
import type { Env } from 'hono';
import { invalidRequest } from './error-responses.js';

const WHERE: Record<string, string> = {
  header: 'header ',
  param: 'path ',
  query: 'query ',
  json: '',
  form: '',
};

/** Every validation failure answers 400 with each bad field named; the handler (and so any write) never runs. */
export const validationHook: Hook<unknown, Env, string, Response | undefined> = (result, c) => {
  if (result.success) return undefined;
  const issues = result.error.issues.map((issue) => ({
    field: `${WHERE[result.target] ?? ''}${issue.path.join('.') || '(body)'}`,
    message: issue.message,
  }));
  return invalidRequest(c, issues);
};
