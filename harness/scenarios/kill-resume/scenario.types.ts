import type { Client } from '@temporalio/client';
import type { PrismaClient } from '../../../prisma/client.js';
import type { ConsumerGroups } from '../../../activities/projections/saga-event-consumers.js';
import type { KillResumeAudit } from './audit.js';
import type { ProbedGateway } from './gateway.js';
import type { WorkerLauncher } from './workers.js';

export type KillMoment = 'mid-payment' | 'mid-compensation' | 'relay-publishing';

export const KILL_MOMENTS: KillMoment[] = ['mid-payment', 'mid-compensation', 'relay-publishing'];

export interface KillResumeOptions {
  /** The REST API (`app.request` or a fetch against a base URL), on the scenario's task queues. */
  api: (path: string, init?: RequestInit) => Promise<Response>;
  client: Client;
  /** The database the workers and the API use; the audit reads it. */
  prisma: PrismaClient;
  /** The gateway the workers charge at: holds requests, counts them, and shows its ledger. */
  gateway: Pick<ProbedGateway, 'hold' | 'requests' | 'ledger'>;
  /** Freezes and thaws the broker the relay publishes to (a publish in flight stays in flight). */
  kafka: { pause(): void; resume(): void };
  launchWorker: WorkerLauncher;
  relayWorkflowId: string;
  consumerGroups: ConsumerGroups;
  /** When given, the audit reads every event back from Kafka. */
  topics?: { brokers: string[]; prefix: string };
  /** Duplicates each consumer group dropped, for the report. */
  duplicatesDropped?: () => Record<string, number>;
  /** The API's booking hold: unpaid bookings expire after it. */
  holdSeconds: number;
  narrate: (line: string) => void;
  /** 1: one worker, killed at each of `moments` and replaced. 2: two, one killed, no restart. */
  workers: 1 | 2;
  moments?: KillMoment[];
  /** Each round's event starts this long after its launch (default 20 s); its bookings end then. */
  eventLeadSeconds?: number;
  /** Limit of each wait (default 90 s). */
  waitTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface KillRound {
  round: number;
  moment: KillMoment | 'mid-saga, two workers';
  killed: { name: string; pid: number };
  /** What the killed worker had in flight, as Temporal, the gateway and the outbox showed it. */
  inFlight: string[];
  /** The worker started after the kill (one-worker mode). */
  replacement: { name: string; pid: number; spawnToReadyMs: number } | null;
  /** The worker that kept running (two-worker mode), and whether the relay moved to it. */
  survivor: { name: string; pid: number; tookOverRelay: boolean } | null;
  sagas: number;
  /** From the kill until every saga of the round had settled: ended, or confirmed and only
   * waiting for its event to start. */
  killToSettledMs: number;
  /** From the replacement's spawn, and from its "worker ready", until then (one-worker mode). */
  spawnToSettledMs: number | null;
  readyToSettledMs: number | null;
  /** From the kill until the outbox was empty again (after the round's sagas had settled). */
  killToDrainedMs: number;
  /** Requests per gateway key for the step caught mid-call: the killed worker's and the retry's. */
  retriedCalls: { key: string; requests: number }[];
}

export interface KillResumeResult {
  runId: string;
  workers: 1 | 2;
  rounds: KillRound[];
  audit: KillResumeAudit;
}
