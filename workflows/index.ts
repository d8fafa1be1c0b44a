export * from './order-saga.js';
export * from './booking-saga.js';
export * from './outbox-relay.js';
