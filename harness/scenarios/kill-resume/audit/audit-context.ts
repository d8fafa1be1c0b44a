import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../../../prisma/client.js';
import type { ConsumerGroups } from '../../../../activities/projections/saga-event-consumers.js';
import type { ProbedGateway } from '../gateway.js';
import type { Batch, PlannedSaga, Products } from '../mix.js';
import { waitFor, type Poll } from '../probes.js';

export interface AuditInput {
  client: Client;
  prisma: PrismaClient;
  gateway: Pick<ProbedGateway, 'requests' | 'ledger'>;
  runId: string;
  batches: Batch[];
  products: Products;
  consumerGroups: ConsumerGroups;
  topics?: { brokers: string[]; prefix: string };
  duplicatesDropped?: () => Record<string, number>;
  narrate: (line: string) => void;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What each check of the audit reads: the input, every saga of the run, and its wait. */
export interface AuditContext extends AuditInput {
  sagas: PlannedSaga[];
  /** Polls `probe` every 250 ms until done; a KillResumeCheckFailed on timeout. */
  until<T>(what: string, probe: () => Promise<Poll<T>>): Promise<T>;
}

export const auditContext = (input: AuditInput): AuditContext => ({
  ...input,
  sagas: input.batches.flatMap((batch) => batch.sagas),
  until: (what, probe) =>
    waitFor(what, probe, { timeoutMs: input.timeoutMs, pollMs: 250, signal: input.signal }),
});

/** How many items have each key. */
export const count = <T>(items: T[], keyOf: (item: T) => string) =>
  items.reduce<Record<string, number>>((counts, item) => {
    counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
    return counts;
  }, {});
