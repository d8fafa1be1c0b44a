import { createHash } from 'node:crypto';

/** A stable hash of a request's meaningful content (pass it in a canonical order). */
export const fingerprintOf = (canonical: unknown): string =>
  createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
