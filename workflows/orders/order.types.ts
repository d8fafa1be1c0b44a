/** Workflow and activity payloads: JSON-plain (ISO strings, integer cents). */

export interface OrderItemInput {
  sku: string;
  quantity: number;
}

export interface OrderSagaInput {
  orderId: string;
  customerId: string;
  items: OrderItemInput[];
  paymentToken: string;
  /** How long payment may take, retries included, before the saga gives up and compensates. */
  paymentDeadlineSeconds?: number;
}

export type OrderStatus = 'PENDING' | 'RESERVED' | 'PAID' | 'CONFIRMED' | 'CANCELLED' | 'FAILED';

export interface OrderSagaResult {
  orderId: string;
  status: 'CONFIRMED' | 'CANCELLED';
  chargeId?: string;
}

/** The `orderSaga` workflow's signature, for typed handles without importing workflow code. */
export type OrderSagaWorkflow = (input: OrderSagaInput) => Promise<OrderSagaResult>;

export type SagaStepName =
  'createOrder' | 'reserveInventory' | 'chargePayment' | 'confirmOrder' | 'notifyCustomer';

/** What the `orderStatus` query returns while the saga runs (and after it ends). */
export interface OrderSagaState {
  orderId: string;
  status: OrderStatus;
  /** Steps finished so far, and compensations run, in order. */
  completedSteps: SagaStepName[];
  compensations: string[];
  cancelRequested: boolean;
  totalCents?: number;
  chargeId?: string;
  failure?: { type: string; message: string };
  notified?: boolean;
}

export interface CancelOrderRequest {
  reason?: string;
}
