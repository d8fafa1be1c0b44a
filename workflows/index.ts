export * from './orders/order-saga.js';
export * from './bookings/booking-saga.js';
export * from './outbox/outbox-relay.workflow.js';
