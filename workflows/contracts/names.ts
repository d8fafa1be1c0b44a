export const ORDER_TASK_QUEUE = 'order-sagas';

/** Workflow ids come from business keys, so the Web UI and the API name a saga the same way. */
export const orderWorkflowId = (orderId: string) => `order:${orderId}`;
