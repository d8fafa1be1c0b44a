/**
 * A saga step's idempotency key, `<workflowId>:<step>`: stable across retries and replays, and
 * known before the saga runs, so the API can show the charge key when it starts one.
 */
export const stepIdempotencyKey = (workflowId: string, step: string): string =>
  `${workflowId}:${step}`;

/** The key a saga charges under; its refund names it, to refund or void that very charge. */
export const chargeIdempotencyKey = (workflowId: string): string =>
  stepIdempotencyKey(workflowId, 'charge');
