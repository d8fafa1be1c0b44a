/**
 * The harness helpers the tests use, in one place: tests import test/support only (ESLint), so
 * what they share with the demos and benches comes through here.
 */
export { spawnChild, stopChild, waitForChild, type Child } from '../../harness/support/children.js';
export { startKafkaBroker, type KafkaBroker } from '../../harness/support/private-kafka.js';
export { freePort } from '../../harness/support/process-control.js';
export {
  createScratchDatabase,
  withDatabase,
  type ScratchDatabase,
} from '../../harness/support/scratch-database.js';
export {
  ResetRefusedError,
  resetLocalDatabase,
  resetRefusal,
} from '../../harness/stack/local-database.js';
export {
  parseHostPort,
  stackConfigSchema,
  urlEndpoint,
  type Endpoint,
} from '../../harness/stack/config.js';
export {
  createSupervisor,
  decideRestart,
  DEFAULT_RESTART_POLICY,
  type Clock,
  type ProcessSpec,
  type RunningProcess,
} from '../../harness/stack/supervisor.js';
export { parseStartArgs, sagaWorkerSlots } from '../../harness/stack/app-processes.js';
export { workflowPollerIdentities } from '../../harness/support/task-queue.js';
