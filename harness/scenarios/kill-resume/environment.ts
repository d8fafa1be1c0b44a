import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { noEventCache } from '../../../activities/bookings/event.cache.js';
import type { ConsumerGroups } from '../../../activities/projections/saga-event-consumers.js';
import { loadConfig } from '../../../platform/config/load-config.js';
import type { PrismaClient } from '../../../prisma/client.js';
import {
  allInOneConfigSchema,
  type AllInOneConfig,
  buildApi,
  createClients,
  startConsumers,
} from '../../../workers/composition/index.js';
import { createScratchDatabase } from '../../support/scratch-database.js';
import { startKafkaBroker } from '../../support/private-kafka.js';
import { startProbedGateway, type ProbedGateway } from './gateway.js';
import { sagaWorkerLauncher, type WorkerLauncher } from './workers.js';

export interface KillResumeEnvironmentOptions {
  /** The stack's Postgres: the scratch database is created on its server. */
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  /** The booking workers' event cache. */
  redisUrl: string;
  /** Where the worker processes log. */
  logDir: string;
  /** How long unpaid seats stay held (default 4 s: an unpaid booking expires within its round). */
  holdSeconds?: number;
  /** Added to every charge and refund at the gateway (default 300 ms): payments take a while. */
  gatewayLatencyMs?: number;
  /** Progress while it is set up (the broker takes a few seconds). */
  say?: (line: string) => void;
}

/** What the kill-resume scenario runs against, all of it its own. */
export interface KillResumeEnvironment {
  runId: string;
  api: (path: string, init?: RequestInit) => Promise<Response>;
  client: Client;
  prisma: PrismaClient;
  gateway: ProbedGateway;
  /** SIGSTOP / SIGCONT of the private broker: a publish in flight stays in flight. */
  kafka: { pause(): void; resume(): void };
  topics: { brokers: string[]; prefix: string };
  consumerGroups: ConsumerGroups;
  /** Duplicates each consumer group dropped (events it had applied already). */
  duplicatesDropped(): Record<string, number>;
  relayWorkflowId: string;
  taskQueues: { orders: string; bookings: string; relay: string };
  /** Launches a saga worker process on this environment's queues, database, gateway, broker. */
  launchWorker: WorkerLauncher;
  holdSeconds: number;
  /** Stops everything it started, last first; the scratch database and the broker's data go too. */
  close(): Promise<void>;
}

const PARTITIONS = 4;

type Closers = (() => Promise<unknown>)[];

/** The scratch database and the private broker, each registered for cleanup as soon as it exists. */
async function startPrivateServers(databaseUrl: string, closers: Closers) {
  const [database, kafkaBroker] = await Promise.allSettled([
    createScratchDatabase(databaseUrl, 'kill_resume'),
    startKafkaBroker(),
  ]);
  if (database.status === 'fulfilled') closers.push(() => database.value.drop());
  if (kafkaBroker.status === 'fulfilled') closers.push(() => kafkaBroker.value.destroy());
  if (database.status === 'rejected') throw database.reason;
  if (kafkaBroker.status === 'rejected') throw kafkaBroker.reason;
  const broker = kafkaBroker.value;
  const signalBroker = (signal: NodeJS.Signals) => {
    const pid = broker.pid();
    if (pid === undefined) throw new Error('the private Kafka broker is not running');
    process.kill(pid, signal);
  };
  return { scratch: database.value, broker, signalBroker };
}

/** Task queues, relay workflow, topics and consumer groups no one else uses. */
function privateNames(runId: string) {
  return {
    taskQueues: {
      orders: `kill-resume-orders-${runId}`,
      bookings: `kill-resume-bookings-${runId}`,
      relay: `kill-resume-relay-${runId}`,
    },
    relayWorkflowId: `kill-resume-relay-${runId}`,
    topicPrefix: `kill-resume-${runId}`,
    consumerGroups: {
      loyalty: `kill-resume-loyalty-${runId}`,
      orderView: `kill-resume-order-view-${runId}`,
    },
  };
}

/** What the saga worker processes get; the API and consumers here run on the same settings. */
function workerEnvironment(
  options: KillResumeEnvironmentOptions,
  runId: string,
  names: ReturnType<typeof privateNames>,
  urls: { database: string; gateway: string; brokers: string[] },
) {
  return {
    DATABASE_URL: urls.database,
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_NAMESPACE: options.namespace,
    REDIS_URL: options.redisUrl,
    PAYMENT_GATEWAY_URL: urls.gateway,
    KAFKA_BROKERS: urls.brokers.join(','),
    KAFKA_CLIENT_ID: `kill-resume-${runId}`,
    KAFKA_TOPIC_PREFIX: names.topicPrefix,
    KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
    // A publish that failed while the broker was frozen goes again within 2 s of it thawing.
    RELAY_MAX_BACKOFF_MS: '2000',
    ORDER_TASK_QUEUE: names.taskQueues.orders,
    BOOKING_TASK_QUEUE: names.taskQueues.bookings,
    RELAY_TASK_QUEUE: names.taskQueues.relay,
    RELAY_WORKFLOW_ID: names.relayWorkflowId,
    DATABASE_POOL_MAX: '10',
  };
}

/**
 * An isolated world for the kill-resume scenario: a scratch database (migrated), a private Kafka
 * broker (the scenario freezes it), a payment gateway in this process with latency and holds,
 * private task queues and relay workflow id (so no other worker takes part, `npm start`'s neither),
 * private topics and consumer groups (the consumers run in this process), and the REST API built
 * in this process on top. Only the saga workers run as separate processes, launched on demand.
 */
export async function startKillResumeEnvironment(
  options: KillResumeEnvironmentOptions,
): Promise<KillResumeEnvironment> {
  const say = options.say ?? (() => {});
  const runId = randomBytes(3).toString('hex');
  const holdSeconds = options.holdSeconds ?? 4;
  const closers: Closers = [];
  let thaw = () => {};
  const close = async () => {
    // A frozen broker would hold up every shutdown below (the workers' producers, the consumers).
    thaw();
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => {});
  };

  try {
    say('creating a scratch database and starting a private Kafka broker');
    const { scratch, broker, signalBroker } = await startPrivateServers(
      options.databaseUrl,
      closers,
    );
    thaw = () => {
      try {
        signalBroker('SIGCONT');
      } catch {
        /* not running */
      }
    };
    const gateway = await startProbedGateway({
      databaseUrl: scratch.url,
      latencyMs: options.gatewayLatencyMs ?? 300,
    });
    closers.push(() => gateway.close());

    const names = privateNames(runId);
    const { taskQueues, relayWorkflowId, topicPrefix, consumerGroups } = names;
    const workerEnv = workerEnvironment(options, runId, names, {
      database: scratch.url,
      gateway: gateway.url,
      brokers: broker.brokers,
    });
    const { client, prisma, app, consumers } = await startInProcessParts(
      loadConfig(allInOneConfigSchema, {
        ...workerEnv,
        LOYALTY_CONSUMER_GROUP: consumerGroups.loyalty,
        ORDER_VIEW_CONSUMER_GROUP: consumerGroups.orderView,
        BOOKING_HOLD_SECONDS: String(holdSeconds),
        CONSUMER_MAX_ATTEMPTS: '3',
      }),
      closers,
    );
    const launchWorker = trackedLauncher(options.logDir, workerEnv, closers);

    return {
      runId,
      api: async (path, init) => app.request(path, init),
      client,
      prisma,
      gateway,
      kafka: { pause: () => signalBroker('SIGSTOP'), resume: () => signalBroker('SIGCONT') },
      topics: { brokers: broker.brokers, prefix: topicPrefix },
      consumerGroups,
      duplicatesDropped: () => duplicatesDropped(consumerGroups, consumers),
      relayWorkflowId,
      taskQueues,
      launchWorker,
      holdSeconds,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The clients, the consumers and the REST API, in this process; each registered for cleanup. */
async function startInProcessParts(config: AllInOneConfig, closers: Closers) {
  // No event cache for this API (seat counts straight from Postgres), so no Redis connection.
  const logger = pino({ level: 'silent' });
  const clients = await createClients(config, { logger, eventCache: noEventCache });
  closers.push(() => clients.close());
  const client = clients.temporal.client;
  // After the workers are gone (closers run last first): the relay workflow would wait forever.
  closers.push(() =>
    client.workflow.getHandle(config.RELAY_WORKFLOW_ID).terminate('kill-resume scenario done'),
  );
  const { consumers, stop: stopConsumers } = startConsumers(config, clients);
  closers.push(stopConsumers);
  const api = buildApi(config, clients);
  closers.push(() => api.close());
  return { client, prisma: clients.prisma, app: api.app, consumers };
}

/** Launches saga worker processes, each stopped when the environment closes. */
function trackedLauncher(
  logDir: string,
  env: Record<string, string>,
  closers: Closers,
): WorkerLauncher {
  const launched: { stop(): Promise<void> }[] = [];
  closers.push(() => Promise.all(launched.map((worker) => worker.stop())));
  const launch = sagaWorkerLauncher({ logDir, env });
  return (name) => {
    const worker = launch(name);
    launched.push(worker);
    return worker;
  };
}

function duplicatesDropped(
  groups: ConsumerGroups,
  consumers: { stats: { duplicates: number } }[],
): Record<string, number> {
  return Object.fromEntries(
    [groups.loyalty, groups.orderView].map((group, n) => [group, consumers[n]!.stats.duplicates]),
  );
}
