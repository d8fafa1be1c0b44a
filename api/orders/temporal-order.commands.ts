import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { cancelOrderUpdate } from '../../workflows/orders/order.messages.js';
import { ORDER_TASK_QUEUE, orderWorkflowId } from '../../workflows/contracts/names.js';
import {
  CustomerIdAttribute,
  OrderStatusAttribute,
} from '../../workflows/contracts/search-attributes.js';
import type { OrderSagaWorkflow } from '../../workflows/orders/order.types.js';
import type { OrderCommands } from './order.commands.js';
import { describeOrder } from '../../workflows/orders/order.description.js';
import { isNotFound, sagaStatusOf } from '../http/temporal-errors.js';

export interface OrderCommandOptions {
  /** For tests that run their own worker; sagas otherwise go to the order workers. */
  taskQueue?: string;
}

export function createTemporalOrderCommands(
  client: Client,
  { taskQueue = ORDER_TASK_QUEUE }: OrderCommandOptions = {},
): OrderCommands {
  const handle = (orderId: string) =>
    client.workflow.getHandle<OrderSagaWorkflow>(orderWorkflowId(orderId));

  return {
    async placeOrder(input, requestFingerprint) {
      const description = describeOrder(input);
      try {
        await client.workflow.start<OrderSagaWorkflow>('orderSaga', {
          taskQueue,
          workflowId: orderWorkflowId(input.orderId),
          args: [input],
          // A closed saga keeps its id: a retried POST finds it instead of starting a second one.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          // A task lost with a killed worker is retried after this (default 10 s); ours take ms.
          workflowTaskTimeout: '3s',
          typedSearchAttributes: [
            { key: OrderStatusAttribute, value: 'PENDING' },
            { key: CustomerIdAttribute, value: input.customerId },
          ],
          // requestFingerprint: a retried POST compares it (below); the rest is for the Web UI.
          memo: { requestFingerprint, ...description.memo },
          staticSummary: description.staticSummary,
          staticDetails: description.staticDetails,
        });
        return { kind: 'started' };
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        const { memo } = await handle(input.orderId).describe();
        return memo?.requestFingerprint === requestFingerprint
          ? { kind: 'duplicate' }
          : { kind: 'conflict' };
      }
    },

    async cancelOrder(orderId, reason) {
      try {
        await handle(orderId).executeUpdate(cancelOrderUpdate, { args: [{ reason }] });
        return { kind: 'accepted' };
      } catch (error) {
        if (isNotFound(error))
          return (await sagaStatusOf(handle(orderId)))
            ? { kind: 'rejected', reason: 'the order saga has ended' }
            : { kind: 'not-found' };
        if (error instanceof WorkflowUpdateFailedError)
          return { kind: 'rejected', reason: error.cause?.message ?? error.message };
        throw error;
      }
    },

    async waitForEnd(orderId, timeoutMs) {
      // Aborting ends the long poll on the server side too, so a timed-out wait leaves nothing behind.
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), timeoutMs);
      try {
        await client.withAbortSignal(abort.signal, () => handle(orderId).result());
        return true;
      } catch {
        return !abort.signal.aborted; // a failed saga has ended too
      } finally {
        clearTimeout(timer);
      }
    },

    sagaStatus: (orderId) => sagaStatusOf(handle(orderId)),
  };
}
