import { z } from 'zod';
import {
  databaseSettings,
  kafkaSettings,
  relaySettings,
} from '../../../platform/config/settings.js';
import { benchArgs, benchConfig } from '../support/cli-args.js';
import { requireLocal } from '../support/machine.js';
import type { RelayTargets } from './checks.js';

export const TARGETS: RelayTargets = { ratio: 0.8, p99Ms: 100, recoveryMs: 30_000 };
const PHASES = ['ceiling', 'drain', 'latency', 'outage'] as const;
export type Phase = (typeof PHASES)[number];

const USAGE = `usage: npm run bench:relay -- [options]
  --events <n>            events for the ceiling and the drain (default 100000)
  --log-size <n>          published events in the log before anything else (default 0): a live
                          system's table, whose statistics a backlog of a few percent does not change
  --rounds <n>            prefill → ceiling → drain rounds; the ratio is the median of the rounds'
                          ratios (default 3)
  --per-aggregate <n>     events per aggregate in the prefill (default 10)
  --in-flight <n>         aggregates whose events interleave in the outbox, like sagas running at
                          the same time (default 250)
  --batch-size <n>        events per relay batch, and per sendBatch in the ceiling (default 1000)
  --concurrency <n>       relay lanes, and concurrent sendBatch calls in the ceiling
                          (default RELAY_CONCURRENCY, 2)
  --rate <n>              latency phase: single-event transactions per second (default 200)
  --latency-seconds <s>   latency phase: measured duration (default 15)
  --outage-rate <n>       outage phase: appendToOutbox transactions per second (default 100)
  --outage-seconds <s>    outage phase: how long the broker stays down (default 30)
  --phases <list>         comma list of ${PHASES.join(', ')} (default all)
  --json <file>           also write the results as JSON
  --help                  this text
Durations: 15, 15s, 1500ms, 1m.
Targets: relay drain ≥ ${TARGETS.ratio} × raw kafkajs; commit → consumed p99 < ${TARGETS.p99Ms} ms;
backlog drained < ${TARGETS.recoveryMs / 1000} s after Kafka is healthy again.
Needs the stack's Postgres (DATABASE_URL; a scratch database is created and dropped there) and Kafka
provisioned (a private broker on free ports is started and removed). KAFKA_TOPIC_PARTITIONS,
RELAY_POLL_INTERVAL_MS and RELAY_MAX_BACKOFF_MS apply as they do to the relay.
Exit status: 0 when every check passes, 1 when one fails (or the run could not be done), 2 on bad
options, 130 when interrupted.`;

const configSchema = z.object({ ...databaseSettings, ...kafkaSettings, ...relaySettings });
export type RelayConfig = z.infer<typeof configSchema>;

/** The numbers that shape the run (also written to the JSON report as they are). */
export interface RelaySizes {
  events: number;
  rounds: number;
  logSize: number;
  perAggregate: number;
  inFlight: number;
  batchSize: number;
  concurrency: number;
  rate: number;
  latencyMs: number;
  outageRate: number;
  outageMs: number;
}

export interface RelayOptions {
  sizes: RelaySizes;
  phases: Set<string>;
  runs: (phase: Phase) => boolean;
  json: string | undefined;
  config: RelayConfig;
  databaseHost: string;
}

function readSizes(cli: ReturnType<typeof parseCommandLine>): RelaySizes {
  const args = cli.values;
  return {
    events: cli.integer('events', args.events, 1, 5_000_000),
    rounds: cli.integer('rounds', args.rounds, 1, 20),
    logSize: cli.integer('log-size', args['log-size'], 0, 50_000_000),
    perAggregate: cli.integer('per-aggregate', args['per-aggregate'], 1, 1_000),
    inFlight: cli.integer('in-flight', args['in-flight'], 1, 1_000_000),
    batchSize: cli.integer('batch-size', args['batch-size'], 1, 10_000),
    concurrency: cli.integer('concurrency', args.concurrency, 1, 16),
    rate: cli.integer('rate', args.rate, 1, 10_000),
    latencyMs: cli.durationMs('latency-seconds', args['latency-seconds']),
    outageRate: cli.integer('outage-rate', args['outage-rate'], 1, 10_000),
    outageMs: cli.durationMs('outage-seconds', args['outage-seconds']),
  };
}

const parseCommandLine = (config: RelayConfig) =>
  benchArgs(USAGE, {
    events: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    'log-size': { type: 'string', default: '0' },
    'per-aggregate': { type: 'string', default: '10' },
    'in-flight': { type: 'string', default: '250' },
    'batch-size': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: String(config.RELAY_CONCURRENCY) },
    rate: { type: 'string', default: '200' },
    'latency-seconds': { type: 'string', default: '15' },
    'outage-rate': { type: 'string', default: '100' },
    'outage-seconds': { type: 'string', default: '30' },
    phases: { type: 'string', default: PHASES.join(',') },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  });

/** The environment (its RELAY_CONCURRENCY is --concurrency's default), then the command line. */
export function readRelayOptions(): RelayOptions {
  const config = benchConfig(configSchema);
  const cli = parseCommandLine(config);
  const sizes = readSizes(cli);
  if (sizes.latencyMs < 1_000 || sizes.latencyMs > 600_000)
    cli.fail('--latency-seconds: from 1 s to 10 min');
  if (sizes.outageMs < 1_000 || sizes.outageMs > 600_000)
    cli.fail('--outage-seconds: from 1 s to 10 min');
  const phases = new Set(cli.values.phases.split(',').map((p) => p.trim()));
  for (const phase of phases)
    if (!PHASES.includes(phase as Phase))
      cli.fail(`--phases: ${PHASES.join(', ')}; got "${phase}"`);
  const databaseHost = new URL(config.DATABASE_URL).hostname;
  requireLocal({ DATABASE_URL: databaseHost }, cli.fail);
  return {
    sizes,
    phases,
    runs: (phase) => phases.has(phase),
    json: cli.values.json,
    config,
    databaseHost,
  };
}
