import { randomBytes } from 'node:crypto';
import type { OutboxStatus } from '../../../activities/outbox/event-log.queries.js';
import type { RelayStatus } from '../../../activities/outbox/relay.loop.js';
import type { Poll } from '../../support/polling.js';
import { check, waitFor } from './checks.js';
import type { KafkaOutageOptions } from './scenario.types.js';

/** What every phase of one scenario run shares: its options, its orders, its reads of the API. */
export interface OutageRun {
  options: KafkaOutageOptions;
  /** The API, its requests ending when the run's signal aborts. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  narrate: (line: string) => void;
  /** Polls `probe` every 250 ms until done; a ScenarioCheckFailed on timeout. */
  until<T>(what: string, probe: () => Promise<Poll<T>>): Promise<T>;
  runId: string;
  customerId: string;
  /** The ids (and Idempotency-Keys) of the orders placed while Kafka is down. */
  orderIds: string[];
  getJson<T>(path: string): Promise<{ status: number; body: T }>;
  /** GET /admin/outbox, which must answer 200. */
  outboxStatus(): Promise<OutboxStatus>;
}

export function startOutageRun(options: KafkaOutageOptions): OutageRun {
  const { signal } = options;
  const timeoutMs = options.waitTimeoutMs ?? 120_000;
  const api = (path: string, init?: RequestInit) => options.api(path, { ...init, signal });
  const runId = randomBytes(4).toString('hex');
  const getJson = async <T>(path: string): Promise<{ status: number; body: T }> => {
    const response = await api(path);
    return { status: response.status, body: (await response.json()) as T };
  };
  return {
    options,
    api,
    narrate: options.narrate,
    until: (what, probe) => waitFor(what, probe, timeoutMs, signal),
    runId,
    customerId: `demo-customer-${runId}`,
    orderIds: Array.from({ length: options.orders ?? 20 }, (_, n) => `outage-${runId}-${n + 1}`),
    getJson,
    async outboxStatus() {
      const { status, body } = await getJson<OutboxStatus>('/admin/outbox');
      check(status === 200, `GET /admin/outbox answered ${status}: ${JSON.stringify(body)}`);
      return body;
    },
  };
}

export const relayStatus = (outbox: OutboxStatus): RelayStatus | null =>
  outbox.relay.activity?.status ?? null;

/** The outbox and the relay in one line, for what a wait last saw. */
export function describeOutbox(outbox: OutboxStatus): string {
  const status = relayStatus(outbox);
  return (
    `backlog ${outbox.backlog.unpublished}, relay workflow ${outbox.relay.workflowStatus ?? 'absent'}, ` +
    `activity ${outbox.relay.activity?.state ?? 'none'}, state ${status?.state ?? 'not heartbeated yet'}` +
    (status?.lastError ? `, last error "${status.lastError}"` : '')
  );
}
