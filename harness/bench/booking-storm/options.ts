import { apiConfigSchema } from '../../../api/api.config.js';
import { workerConfigSchema } from '../../../workers/worker.config.js';
import { BOOKING_TASK_QUEUE } from '../../../workflows/contracts/names.js';
import { stackConfigSchema, type StackConfig } from '../../stack/config.js';
import { benchArgs, benchConfig } from '../support/cli-args.js';
import { requireLocal, stackHosts } from '../support/machine.js';

const USAGE = `usage: npm run bench:booking-storm -- [options]
  --clients <n>            concurrent clients, all fired at once; each books, then pays if it got seats
                           (default 1000)
  --seats <n>              seats of the event (default 100)
  --seats-per-booking <n>  seats each client asks for, 1 to 10 (default 1)
  --price-cents <n>        price of a seat (default 2500)
  --starts-in <duration>   the event starts this long after the run begins (default 10m, at least 1m);
                           a confirmed booking's saga stays open (cancellable) until then
  --workers <n>            saga-worker processes to spawn (default 1)
  --apis <n>               API processes to spawn; clients are spread over them (default 1)
  --timeout <duration>     limit per request (default 120s); a request without an answer by then
                           counts as TIMEOUT
  --warm-connections       open every client's keep-alive connection before the storm, so the storm
                           measures the API without TCP connection setup (default: each client
                           connects as part of its first request, like real clients)
  --json <file>            also write the results as JSON
  --help                   this text
Durations: 90, 90s, 1500ms, 10m.
The environment configures the spawned API and workers as it does the real ones (DATABASE_URL,
TEMPORAL_ADDRESS, REDIS_URL, PAYMENT_GATEWAY_URL, DATABASE_POOL_MAX, WORKER_MAX_CONCURRENT_ACTIVITIES,
WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, WORKER_MAX_CACHED_WORKFLOWS, BOOKING_HOLD_SECONDS,
BOOKING_PAYMENT_DEADLINE_SECONDS, LOG_LEVEL, ...).
Needs the local stack: npm run stack -- up && npm run db:migrate.
Ctrl-C ends the requests in flight and reports what there is; sagas already started finish on the
next worker that polls ${BOOKING_TASK_QUEUE} (held seats go back when their hold expires).
Exit status: 0 when every check passes, 1 when one fails (or the run could not be done), 2 on bad
options, 130 when interrupted.`;

// The settings of both kinds of child, validated here so that a bad one stops the bench before it spawns anything.
const configSchema = workerConfigSchema.extend(apiConfigSchema.shape);
export type StormConfig = ReturnType<typeof configSchema.parse>;

export interface StormOptions {
  clients: number;
  totalSeats: number;
  seatsPerBooking: number;
  priceCents: number;
  startsInMs: number;
  workers: number;
  apis: number;
  timeoutMs: number;
  warmConnections: boolean;
  json: string | undefined;
  /** min(clients, ⌊seats / seats per booking⌋) */
  expectedConfirmed: number;
  config: StormConfig;
  stackConfig: StackConfig;
  hosts: ReturnType<typeof stackHosts>;
}

/** The command line and the environment; exits 0 on --help and 2 on anything wrong. */
export function readStormOptions(): StormOptions {
  const cli = benchArgs(USAGE, {
    clients: { type: 'string', default: '1000' },
    seats: { type: 'string', default: '100' },
    'seats-per-booking': { type: 'string', default: '1' },
    'price-cents': { type: 'string', default: '2500' },
    'starts-in': { type: 'string', default: '10m' },
    workers: { type: 'string', default: '1' },
    apis: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '120s' },
    'warm-connections': { type: 'boolean', default: false },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  });
  const args = cli.values;
  const clients = cli.integer('clients', args.clients, 1, 20_000);
  const totalSeats = cli.integer('seats', args.seats, 1, 100_000);
  const seatsPerBooking = cli.integer('seats-per-booking', args['seats-per-booking'], 1, 10);
  const priceCents = cli.integer('price-cents', args['price-cents'], 0, 10_000_000);
  const startsInMs = cli.durationMs('starts-in', args['starts-in']);
  const workers = cli.integer('workers', args.workers, 1, 16);
  const apis = cli.integer('apis', args.apis, 1, 16);
  const timeoutMs = cli.durationMs('timeout', args.timeout);
  if (startsInMs < 60_000 || startsInMs > 30 * 86_400_000)
    cli.fail('--starts-in: from 1m to 30 days');
  if (timeoutMs < 1_000 || timeoutMs > 3_600_000) cli.fail('--timeout: from 1 s to 1 h');

  const config = benchConfig(configSchema);
  const stackConfig = benchConfig(stackConfigSchema);
  const hosts = stackHosts(config);
  requireLocal(hosts, cli.fail);
  return {
    clients,
    totalSeats,
    seatsPerBooking,
    priceCents,
    startsInMs,
    workers,
    apis,
    timeoutMs,
    warmConnections: args['warm-connections'],
    json: args.json,
    expectedConfirmed: Math.min(clients, Math.floor(totalSeats / seatsPerBooking)),
    config,
    stackConfig,
    hosts,
  };
}
