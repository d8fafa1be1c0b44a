export * from './stack-probes.js';
