import type { BenchWorkerKind } from '../support/bench-workers.js';
import { benchArgs } from '../support/cli-args.js';
import { requireLocal, stackHosts } from '../support/machine.js';
import { benchWorkerConfigSchema, type BenchWorkerConfig } from '../support/worker-tuning.js';
import { loadConfigOrExit } from '../../../platform/config/load-config.js';

const USAGE = `usage: npm run bench:orders -- [options]
  --duration <s>        measured phase per scenario (default 20)
  --warmup <s>          warm-up before each measured phase (default 5)
  --concurrency <n>     closed-loop clients (default 50)
  --skip-ceiling        leave out the no-op ceiling
  --scenarios <list>    comma list, default rest,client,ceiling; also: ceiling-sa, ceiling-local,
                        ceiling-eager, ceiling-local-eager, saga-local, saga-eager, saga-local-eager
  --workers <n>         worker processes per task queue (default 1)
  --saga-worker <kind>  what serves the order queue:
                          real          workers/saga-worker.ts (default)
                          bench         bench/bench-worker.ts, which also takes WORKER_WORKFLOW_POLLERS,
                                        WORKER_ACTIVITY_POLLERS, WORKER_MAX_EAGER_ACTIVITIES and
                                        WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES
                          bench-local   the same, running orderSaga with local activities
                          in-api        no worker process: bench/api-with-worker.ts replaces the API and
                                        runs the worker inside it, starts eager (BENCH_EAGER_START);
                                        --workers N runs N of them, the REST clients spread over them
                          in-api-local  the same with local activities
  --json <file>         also write the results as JSON
  --keep-data           keep this run's product and orders (by default they are deleted at the end;
                        the payment gateway's ledger and Temporal's histories always stay)
Worker settings come from the environment, as for the real processes (see workers/config.ts).`;

export const SAGA_WORKERS = ['real', 'bench', 'bench-local', 'in-api', 'in-api-local'] as const;
export type SagaWorker = (typeof SAGA_WORKERS)[number];

export interface OrdersOptions {
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  /** Worker processes per task queue (API processes with `in-api*`). */
  workers: number;
  sagaWorker: SagaWorker;
  /** `in-api*`: the order worker runs inside the API process. */
  workerInApi: boolean;
  sagaKind: BenchWorkerKind;
  /** Scenario names as given. */
  scenarios: string[];
  skipCeiling: boolean;
  json: string | undefined;
  keepData: boolean;
  config: BenchWorkerConfig;
  hosts: ReturnType<typeof stackHosts>;
  /** Prints the message and the usage, exits 2. */
  fail: (message: string) => never;
}

/** The command line and the environment; exits 0 on --help, 2 on a bad option, 1 on bad settings. */
export function readOrdersOptions(): OrdersOptions {
  const cli = benchArgs(USAGE, {
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '50' },
    'skip-ceiling': { type: 'boolean', default: false },
    scenarios: { type: 'string', default: 'rest,client,ceiling' },
    workers: { type: 'string', default: '1' },
    'saga-worker': { type: 'string', default: 'real' },
    json: { type: 'string' },
    'keep-data': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  });
  const args = cli.values;
  const { fail } = cli;
  const durationMs = cli.durationMs('duration', args.duration);
  const warmupMs = cli.durationMs('warmup', args.warmup);
  const concurrency = cli.integer('concurrency', args.concurrency, 1, 1_000);
  const workers = cli.integer('workers', args.workers, 1, 8);
  if (durationMs < 1_000 || durationMs > 600_000) fail('--duration: from 1 s to 10 min');
  if (warmupMs > 300_000) fail('--warmup: at most 5 min');
  const sagaWorker = args['saga-worker'] as SagaWorker;
  if (!SAGA_WORKERS.includes(sagaWorker))
    fail(`--saga-worker: one of ${SAGA_WORKERS.join(', ')}, got "${sagaWorker}"`);

  const config = loadConfigOrExit(benchWorkerConfigSchema);
  const hosts = stackHosts(config);
  requireLocal(hosts, fail, '127.0.0.1');
  return {
    durationMs,
    warmupMs,
    concurrency,
    workers,
    sagaWorker,
    workerInApi: sagaWorker === 'in-api' || sagaWorker === 'in-api-local',
    sagaKind: sagaWorker.endsWith('-local') ? 'saga-local' : 'saga',
    scenarios: args.scenarios
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    skipCeiling: args['skip-ceiling'],
    json: args.json,
    keepData: args['keep-data'],
    config,
    hosts,
    fail,
  };
}
