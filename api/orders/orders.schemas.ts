import { z } from '@hono/zod-openapi';
import {
  clientText,
  KEY_PATTERN,
  KEY_RULE,
  PAYMENT_TRAIL_FIELDS,
  PaymentTokenSchema,
} from '../http/common.schemas.js';

export const OrderIdParam = z.object({
  id: z
    .string()
    .regex(KEY_PATTERN, KEY_RULE)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'order-7f3a9c1e' }),
});

export const PlaceOrderQuery = z.object({
  wait: z.enum(['true', 'false']).optional().openapi({
    description: "Wait (up to the server's wait timeout) for the saga to finish before answering.",
  }),
});

export const OrderItemSchema = z.object({
  sku: clientText(1, 64).openapi({ example: 'SKU-COFFEE' }),
  quantity: z.number().int().min(1).max(1_000).openapi({ example: 2 }),
});

export const PlaceOrderBody = z
  .object({
    customerId: clientText(1, 64).openapi({ example: 'customer-42' }),
    items: z
      .array(OrderItemSchema)
      .min(1)
      .max(50)
      .refine(
        (items) => new Set(items.map((i) => i.sku)).size === items.length,
        'each SKU may appear only once',
      ),
    paymentToken: PaymentTokenSchema,
  })
  .openapi('PlaceOrderRequest');

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

export const ProductSchema = z
  .object({
    sku: z.string(),
    name: z.string(),
    priceCents: z.number().int(),
    stockOnHand: z.number().int(),
  })
  .openapi('Product');
