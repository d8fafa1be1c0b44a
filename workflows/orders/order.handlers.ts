import { log, setHandler } from '@temporalio/workflow';
import { cancelOrderUpdate, orderStatusQuery } from './order.messages.js';
import type { OrderState } from './order.state.js';

/**
 * The order saga's query and its cancel Update. An accepted cancel only sets a flag: the flow
 * acts on it between steps.
 */
export function registerOrderHandlers(order: OrderState): void {
  const { view } = order;
  setHandler(orderStatusQuery, () => view);
  setHandler(
    cancelOrderUpdate,
    (request) => {
      view.cancelRequested = true;
      log.info('cancel requested', { orderId: view.orderId, reason: request.reason });
      return { accepted: true } as const;
    },
    { validator: (_request) => validateCancel(order) },
  );
}

function validateCancel({ view, confirming, compensating }: OrderState): void {
  if (confirming || view.status === 'CONFIRMED')
    throw new Error(`order ${view.orderId} is already confirmed`);
  if (compensating) throw new Error(`order ${view.orderId} has failed and is being undone`);
  if (view.status === 'CANCELLED' || view.status === 'FAILED')
    throw new Error(`order ${view.orderId} is already ${view.status.toLowerCase()}`);
}
