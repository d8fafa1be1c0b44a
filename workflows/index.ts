export * from './order-saga.js';
export * from './booking-saga.js';
