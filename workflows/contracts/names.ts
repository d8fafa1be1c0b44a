export const ORDER_TASK_QUEUE = 'order-sagas';
export const BOOKING_TASK_QUEUE = 'booking-sagas';

/** Workflow ids come from business keys, so the Web UI and the API name a saga the same way. */
export const orderWorkflowId = (orderId: string) => `order:${orderId}`;
export const bookingWorkflowId = (bookingId: string) => `booking:${bookingId}`;

/** The outbox relay runs as one singleton workflow on its own task queue. */
export const RELAY_TASK_QUEUE = 'outbox-relay';
export const RELAY_WORKFLOW_ID = 'outbox-relay';
