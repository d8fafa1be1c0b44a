/**
 * The one composition module: config → clients → activities → workers, API and consumers. The
 * entry points (api/server.ts, workers/*.ts), the integration tests, the scenarios and the benches
 * all compose the application with these.
 */
export { allInOneConfigSchema, type AllInOneConfig } from './config.js';
export {
  createClients,
  createDatabase,
  type Clients,
  type ClientsConfig,
  type ClientsOptions,
  type DatabaseConfig,
  type TemporalClients,
} from './clients.js';
export { buildApi, consistencyCheckOf, type Api, type ApiCompositionConfig } from './api.js';
export {
  createSagaWorkers,
  createTemporalWorker,
  sagaWorkerTuning,
  type SagaWorkers,
  type SagaWorkersOptions,
  type TemporalWorkerSpec,
} from './saga-workers.js';
export { startConsumers, type Consumers } from './consumers.js';
export { createPaymentGatewayFromConfig } from './payment-gateway.js';
export { createRelayActivities, ensureRelayRunning, type RelaySettings } from './relay.js';
export { shutdownSignal } from './shutdown-signal.js';
