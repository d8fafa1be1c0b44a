import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { CancelOrderRequest, OrderSagaState } from './order.types.js';

export const orderStatusQuery = defineQuery<OrderSagaState>('orderStatus');

/**
 * An Update rather than a Signal so the caller learns synchronously whether the cancel was accepted:
 * the validator rejects it once the order is being confirmed.
 */
export const cancelOrderUpdate = defineUpdate<{ accepted: true }, [CancelOrderRequest]>(
  'cancelOrder',
);
