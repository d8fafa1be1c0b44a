import { z } from '@hono/zod-openapi';

/** Idempotency keys, and so order and booking ids. */
export const KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const KEY_RULE = '8-64 characters: letters, digits, "-" and "_"';

export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string({ error: 'the Idempotency-Key header is required' })
    .regex(KEY_PATTERN, KEY_RULE)
    .openapi({
      description: `Becomes the order (or booking) id; ${KEY_RULE}. A retried request with the same key returns the same order (or booking).`,
      example: 'order-7f3a9c1e',
    }),
});

// A NUL character (Postgres text refuses it) or half of a surrogate pair (jsonb refuses it).
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Free text a client sends: refused with a 400 naming the field before it could reach Postgres. */
export const clientText = (min: number, max: number, { trim = false } = {}) =>
  (trim ? z.string().trim() : z.string())
    .min(min)
    .max(max)
    .refine(
      (text) => !UNSTORABLE.test(text),
      'must not contain NUL or unpaired surrogate characters',
    );

/** The card token an order or a booking is charged with. */
export const PaymentTokenSchema = clientText(1, 128).openapi({
  example: 'tok_visa',
  description: 'tok_declined is always declined by the local gateway',
});

/** The body of cancelling an order or a booking. */
export const CancelBody = z
  .object({ reason: clientText(0, 200).optional() })
  .openapi('CancelRequest');

export const ErrorSchema = z
  .object({
    error: z.string(),
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Error');

/** What an order and a booking both record of their payment and history. */
export const PAYMENT_TRAIL_FIELDS = {
  chargeId: z.string().nullable().optional(),
  refundId: z.string().nullable().optional(),
  failureReason: z.string().nullable().optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
};
