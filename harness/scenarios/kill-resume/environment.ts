import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { noEventCache } from '../../../activities/bookings/event.cache.js';
import { createKafka } from '../../../activities/outbox/kafka.publisher.js';
import { createApp } from '../../../api/app.js';
import { createPrismaBookingQueries } from '../../../activities/bookings/booking.queries.js';
import { createPrismaEventCommands } from '../../../activities/bookings/event.commands.js';
import { createEventLogQueries } from '../../../activities/outbox/event-log.queries.js';
import { temporalRelayExecution } from '../../../api/event-log/relay-execution.js';
import { createPrismaOrderQueries } from '../../../activities/orders/order.queries.js';
import { createTemporalBookingCommands } from '../../../api/bookings/temporal-booking.commands.js';
import { createTemporalOrderCommands } from '../../../api/orders/temporal-order.commands.js';
import { createPrismaViewQueries } from '../../../activities/projections/projection.queries.js';
import { createPrismaClient, type PrismaClient } from '../../../prisma/client.js';
import { createScratchDatabase } from '../../support/scratch-database.js';
import { startKafkaBroker } from '../../support/private-kafka.js';
import type { ConsumerGroups } from '../../../activities/projections/saga-event-consumers.js';
import { startSagaEventConsumers } from '../../../activities/projections/saga-event-consumers.js';
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
  const logger = pino({ level: 'silent' });
  const closers: (() => Promise<unknown>)[] = [];
  let thaw = () => {};
  const close = async () => {
    // A frozen broker would hold up every shutdown below (the workers' producers, the consumers).
    thaw();
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => {});
  };

  try {
    say('creating a scratch database and starting a private Kafka broker');
    const [database, kafkaBroker] = await Promise.allSettled([
      createScratchDatabase(options.databaseUrl, 'kill_resume'),
      startKafkaBroker(),
    ]);
    if (database.status === 'fulfilled') closers.push(() => database.value.drop());
    if (kafkaBroker.status === 'fulfilled') closers.push(() => kafkaBroker.value.destroy());
    if (database.status === 'rejected') throw database.reason;
    if (kafkaBroker.status === 'rejected') throw kafkaBroker.reason;
    const scratch = database.value;
    const broker = kafkaBroker.value;
    const signalBroker = (signal: NodeJS.Signals) => {
      const pid = broker.pid();
      if (pid === undefined) throw new Error('the private Kafka broker is not running');
      process.kill(pid, signal);
    };
    thaw = () => {
      try {
        signalBroker('SIGCONT');
      } catch {
        /* not running */
      }
    };

    const prisma = createPrismaClient({ url: scratch.url, poolMax: 10 });
    closers.push(() => prisma.$disconnect());
    const gateway = await startProbedGateway({
      databaseUrl: scratch.url,
      latencyMs: options.gatewayLatencyMs ?? 300,
    });
    closers.push(() => gateway.close());

    const connection = await Connection.connect({ address: options.temporalAddress });
    closers.push(() => connection.close());
    const client = new Client({ connection, namespace: options.namespace });

    const taskQueues = {
      orders: `kill-resume-orders-${runId}`,
      bookings: `kill-resume-bookings-${runId}`,
      relay: `kill-resume-relay-${runId}`,
    };
    const relayWorkflowId = `kill-resume-relay-${runId}`;
    const topicPrefix = `kill-resume-${runId}`;
    const consumerGroups = {
      loyalty: `kill-resume-loyalty-${runId}`,
      orderView: `kill-resume-order-view-${runId}`,
    };
    // After the workers are gone (closers run last first): the relay workflow would wait forever.
    closers.push(() =>
      client.workflow.getHandle(relayWorkflowId).terminate('kill-resume scenario done'),
    );

    const consumers = startSagaEventConsumers({
      kafka: createKafka(broker.brokers, `kill-resume-${runId}-consumers`),
      prisma,
      groups: consumerGroups,
      topicPrefix,
      partitions: PARTITIONS,
      maxAttempts: 3,
      logger,
    });
    closers.push(() => Promise.all(consumers.map((consumer) => consumer.stop())));

    const app = createApp({
      orderCommands: createTemporalOrderCommands(client, { taskQueue: taskQueues.orders }),
      orderQueries: createPrismaOrderQueries(prisma),
      paymentDeadlineSeconds: 60,
      bookings: {
        commands: createTemporalBookingCommands(client, { taskQueue: taskQueues.bookings }),
        queries: createPrismaBookingQueries({ prisma, cache: noEventCache }),
        eventCommands: createPrismaEventCommands({ prisma, cache: noEventCache }),
        holdSeconds,
        paymentDeadlineSeconds: 60,
      },
      eventLog: createEventLogQueries({
        prisma,
        relayExecution: temporalRelayExecution(client, relayWorkflowId),
      }),
      views: createPrismaViewQueries({
        prisma,
        sagaViewConsumer: consumerGroups.orderView,
        loyaltyConsumer: consumerGroups.loyalty,
      }),
    });

    const launched: { stop(): Promise<void> }[] = [];
    closers.push(() => Promise.all(launched.map((worker) => worker.stop())));
    const launch = sagaWorkerLauncher({
      logDir: options.logDir,
      env: {
        DATABASE_URL: scratch.url,
        TEMPORAL_ADDRESS: options.temporalAddress,
        TEMPORAL_NAMESPACE: options.namespace,
        REDIS_URL: options.redisUrl,
        PAYMENT_GATEWAY_URL: gateway.url,
        KAFKA_BROKERS: broker.brokers.join(','),
        KAFKA_CLIENT_ID: `kill-resume-${runId}`,
        KAFKA_TOPIC_PREFIX: topicPrefix,
        KAFKA_TOPIC_PARTITIONS: String(PARTITIONS),
        // A publish that failed while the broker was frozen goes again within 2 s of it thawing.
        RELAY_MAX_BACKOFF_MS: '2000',
        ORDER_TASK_QUEUE: taskQueues.orders,
        BOOKING_TASK_QUEUE: taskQueues.bookings,
        RELAY_TASK_QUEUE: taskQueues.relay,
        RELAY_WORKFLOW_ID: relayWorkflowId,
        DATABASE_POOL_MAX: '10',
      },
    });

    return {
      runId,
      api: async (path, init) => app.request(path, init),
      client,
      prisma,
      gateway,
      kafka: { pause: () => signalBroker('SIGSTOP'), resume: () => signalBroker('SIGCONT') },
      topics: { brokers: broker.brokers, prefix: topicPrefix },
      consumerGroups,
      duplicatesDropped: () =>
        Object.fromEntries(
          [consumerGroups.loyalty, consumerGroups.orderView].map((group, n) => [
            group,
            consumers[n]!.stats.duplicates,
          ]),
        ),
      relayWorkflowId,
      taskQueues,
      launchWorker: (name) => {
        const worker = launch(name);
        launched.push(worker);
        return worker;
      },
      holdSeconds,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
