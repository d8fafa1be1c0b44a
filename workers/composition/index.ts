/**
 * The one composition module: config → clients → activities → workers, API and consumers. The
 * entry points (api/server.ts, workers/*.ts), the integration tests, the scenarios and the benches
 * all compose the application with these. The entry points import the files they need instead of
 * this index, so that a process loads only its own part: all of it adds ~0.5 s to a worker's start.
 */
export { allInOneConfigSchema, type AllInOneConfig } from './config.js';
export {
  createClients,
  type Clients,
  type ClientsConfig,
  type ClientsOptions,
  type TemporalClients,
} from './clients.js';
export { createDatabase, type DatabaseConfig } from './database.js';
export { buildApi, type Api, type ApiCompositionConfig } from './api.js';
export { consistencyCheckOf } from './consistency-check.js';
export {
  createSagaWorkers,
  createTemporalWorker,
  sagaWorkerTuning,
  type SagaWorkers,
  type SagaWorkersOptions,
  type TemporalWorkerSpec,
} from './saga-workers.js';
export { startConsumers, type Consumers } from './consumers.js';
export { createPaymentGatewayFromConfig, type PaymentGatewaySettings } from './payment-gateway.js';
export { createRelayActivities, ensureRelayRunning, type RelaySettings } from './relay.js';
export { shutdownSignal } from './shutdown-signal.js';
