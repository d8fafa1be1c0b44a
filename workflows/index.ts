export * from './order-saga.js';
