// The local-activity copy registered under the real workflow type, so the real API's starts
// (workflow type `orderSaga` on the order queue) run it: `--saga-worker bench-local` / `in-api-local`.
export { orderSagaLocal as orderSaga } from './order-saga-local.js';
