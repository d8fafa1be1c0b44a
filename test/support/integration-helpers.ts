import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import {
  httpLedgerSource,
  ledgerOfChargeKey,
  type GatewayLedger,
} from '../../activities/payments/payment.ledger.js';
import { loadConfig } from '../../platform/config/load-config.js';
import {
  allInOneConfigSchema,
  createSagaWorkers,
  type AllInOneConfig,
  type Clients,
  type SagaWorkers,
  type SagaWorkersOptions,
} from '../../workers/composition/index.js';
import { done, notYet, pollUntil } from './polling.js';

const HISTORIES_DIR = fileURLToPath(new URL('../replay/histories/', import.meta.url));

/** Polls until `probe` returns a value. */
export function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  return pollUntil(
    what,
    async () => {
      const value = await probe();
      return value === undefined ? notYet('no value') : done(value);
    },
    { timeoutMs },
  );
}

/** The gateway's charges and refunds under one charge idempotency key. */
export const ledgerFor = (gatewayUrl: string, chargeKey: string): Promise<GatewayLedger> =>
  ledgerOfChargeKey(httpLedgerSource(gatewayUrl), chargeKey);

/** Saves a saga's history as `histories/<file>.json` for the replay tests, when RECORD_HISTORIES=1. */
export async function recordHistory(
  client: Client,
  workflowId: string,
  file: string,
): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  await mkdir(HISTORIES_DIR, { recursive: true });
  await writeFile(`${HISTORIES_DIR}${file}.json`, `${historyToJSON(history)}\n`);
}

/**
 * The application's settings for a test: `stackEnv` (the stack's servers, with the run's own
 * database, gateway, task queues, relay workflow, topic prefix and consumer groups, so nothing
 * reaches what `npm start` uses: see test-isolation.ts), quiet logs, and the test's own on top.
 */
export function testConfig(
  stackEnv: Record<string, string>,
  overrides: Record<string, string> = {},
): AllInOneConfig {
  return loadConfig(allInOneConfigSchema, { ...stackEnv, LOG_LEVEL: 'silent', ...overrides });
}

/**
 * Saga workers running in the test process against the real dev server, with the real activities
 * built from `clients`. `stop()` drains them, closes their connection and reports a failed run.
 */
export async function startSagaWorkers(
  config: AllInOneConfig,
  clients: Clients,
  options?: SagaWorkersOptions,
): Promise<SagaWorkers> {
  const workers = await createSagaWorkers(config, clients, options);
  workers.run().catch(() => {}); // a failure is reported by stop()
  return workers;
}
