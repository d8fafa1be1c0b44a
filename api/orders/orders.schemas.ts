import { z } from '@hono/zod-openapi';

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

export const OrderIdParam = z.object({
  id: z
    .string()
    .regex(KEY_PATTERN, KEY_RULE)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'order-7f3a9c1e' }),
});

export const PlaceOrderQuery = z.object({
  wait: z
    .enum(['true', 'false'])
    .optional()
    .openapi({
      description:
        "Wait (up to the server's wait timeout) for the saga to finish before answering.",
    }),
});

export const OrderItemSchema = z.object({
  sku: z.string().min(1).max(64).openapi({ example: 'SKU-COFFEE' }),
  quantity: z.number().int().min(1).max(1_000).openapi({ example: 2 }),
});

export const PlaceOrderBody = z
  .object({
    customerId: z.string().min(1).max(64).openapi({ example: 'customer-42' }),
    items: z
      .array(OrderItemSchema)
      .min(1)
      .max(50)
      .refine(
        (items) => new Set(items.map((i) => i.sku)).size === items.length,
        'each SKU may appear only once',
      ),
    paymentToken: z
      .string()
      .min(1)
      .max(128)
      .openapi({
        example: 'tok_visa',
        description: 'tok_declined is always declined by the local gateway',
      }),
  })
  .openapi('PlaceOrderRequest');

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

const OrderStatusSchema = z.enum([
  'PENDING',
  'RESERVED',
  'PAID',
  'CONFIRMED',
  'CANCELLED',
  'FAILED',
]);

export const OrderSchema = z
  .object({
    id: z.string(),
    workflowId: z.string(),
    status: OrderStatusSchema,
    customerId: z.string().optional(),
    totalCents: z.number().int().optional(),
    items: z.array(OrderItemSchema.extend({ unitPriceCents: z.number().int() })).optional(),
    ...PAYMENT_TRAIL_FIELDS,
  })
  .openapi('Order');

export const OrderAcceptedSchema = z
  .object({ orderId: z.string(), workflowId: z.string(), status: OrderStatusSchema })
  .openapi('OrderAccepted');

export const CancelOrderBody = z
  .object({ reason: z.string().max(200).optional() })
  .openapi('CancelOrderRequest');

export const ProductSchema = z
  .object({
    sku: z.string(),
    name: z.string(),
    priceCents: z.number().int(),
    stockOnHand: z.number().int(),
  })
  .openapi('Product');
