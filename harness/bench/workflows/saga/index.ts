// Workflows of the bench's own saga worker: the real orderSaga, and its local-activity variant.
export { orderSaga } from '../../../../workflows/orders/order-saga.js';
export { orderSagaLocal } from './order-saga-local.js';
