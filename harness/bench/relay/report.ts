import os from 'node:os';
import { checkLines, type Check } from '../support/checks.js';
import { outsideShare, type CpuSplit } from '../support/cpu.js';
import type { LatencySummary } from '../support/load.js';
import { machineLine } from '../support/machine.js';
import { cpuGroupTable, ms, table } from '../support/report.js';
import { perS, roundRatio, secondsOrDash, throughputSummary, type RelayResults } from './checks.js';
import { TARGETS } from './options.js';
import { perBatch, type RelayProfile } from './relay-profile.js';
import type { RelayRun } from './resources.js';

export function header({ runId, logDir, options }: RelayRun): string {
  const { sizes, config } = options;
  const aggregates = Math.ceil(sizes.events / sizes.perAggregate);
  return [
    `durable-sagas outbox relay bench  run ${runId}  ${new Date().toISOString()}`,
    machineLine(),
    `phases: ${[...options.phases].join(', ')}`,
    `relay: batch size ${sizes.batchSize}, ${sizes.concurrency} lane(s), ${config.KAFKA_TOPIC_PARTITIONS} partitions per topic, poll ${config.RELAY_POLL_INTERVAL_MS} ms, max backoff ${config.RELAY_MAX_BACKOFF_MS} ms`,
    `prefill: ${sizes.events} events over ${aggregates} order/booking aggregates (${sizes.perAggregate} each, ${sizes.inFlight} interleaved at a time), ${sizes.rounds} round(s)${sizes.logSize > 0 ? `, after a log of ${sizes.logSize} published events` : ''}`,
    `latency: ${sizes.rate}/s for ${sizes.latencyMs / 1000} s; outage: ${sizes.outageRate}/s, broker down ${sizes.outageMs / 1000} s; both after VACUUM ANALYZE (as autovacuum leaves the table)`,
    `postgres: ${options.databaseHost} (scratch database); logs: ${logDir}`,
  ].join('\n');
}

const latencyCells = (s: LatencySummary | undefined) =>
  [s?.p50, s?.p95, s?.p99, s?.max, s?.mean].map(ms);

const average = (total: number, count: number) => ms(count > 0 ? total / count : undefined);

/** Per call, for a relay loop whose lanes also sit idle (so no `other`). */
const stepLine = (p: RelayProfile) =>
  `  relay: ${p.claims} claims (${p.emptyClaims} empty), ${p.published} events published; ` +
  `ms per call: claim ${average(p.claimMs, p.claims)}, publish ${average(p.publishMs, p.publishes)}, mark ${average(p.markMs, p.marks)}` +
  (p.publishFailures > 0 ? `; ${p.publishFailures} failed publishes` : '');

const THROUGHPUT_HEADER = [
  'round',
  'raw',
  'publisher',
  'relay',
  'relay/raw',
  'drain time',
  'claim',
  'publish',
  'mark',
  'other',
  'busy lanes',
  'claims',
  'drain()',
];

function throughputRows(results: RelayResults, concurrency: number): string[][] {
  const rows = results.rounds.map((round, i) => {
    const p = round.drain && perBatch(round.drain.profile, round.drain.ms);
    const ratio = roundRatio(round);
    return [
      String(i + 1),
      perS(round.ceiling?.raw.perSecond),
      perS(round.ceiling?.publisher.perSecond),
      perS(round.drain?.perSecond),
      ratio === undefined ? '-' : ratio.toFixed(2),
      secondsOrDash(round.drain?.ms),
      ms(p?.claimMs),
      ms(p?.publishMs),
      ms(p?.markMs),
      ms(p?.otherMs),
      p ? `${p.busyLanes.toFixed(1)} of ${concurrency}` : '-',
      round.drain ? `${p!.batches} (${round.drain.profile.emptyClaims} empty)` : '-',
      round.drain ? String(round.drain.drains) : '-',
    ];
  });
  const summary = throughputSummary(results);
  rows.push([
    'median',
    perS(summary.raw),
    perS(summary.publisher),
    perS(summary.relay),
    summary.ratio === undefined ? '-' : summary.ratio.toFixed(2),
    ...Array<string>(8).fill(''),
  ]);
  return rows;
}

function throughputLines(
  results: RelayResults,
  settings: { batchSize: number; concurrency: number },
): string[] {
  const first = results.rounds.find((r) => r.ceiling)?.ceiling;
  return [
    '',
    `throughput, events/s: batches of ${settings.batchSize}, ${settings.concurrency} lane(s), acks -1` +
      (first
        ? `; ${first.raw.events} messages of ~${first.valueBytes.toFixed(0)} B value (payload ~${first.payloadBytes.toFixed(0)} B) + headers`
        : ''),
    "  raw = kafkajs sendBatch of pre-built messages; publisher = the relay's KafkaPublisher without the database;",
    '  relay = createOutboxRelay().drain() until the backlog is 0; claim/publish/mark/other = ms per batch in one lane',
    table(THROUGHPUT_HEADER, throughputRows(results, settings.concurrency)),
    "  other = the rest of the transaction: BEGIN/COMMIT, Prisma's transaction handling, waiting for a pooled connection;",
    '  busy lanes = lanes inside a transaction, on average (a lane stops at its first empty claim)',
  ];
}

function latencyAndOutageLines({ latency, outage }: RelayResults): string[] {
  const lines: string[] = [];
  if (latency)
    lines.push(
      '',
      `latency, commit → consumed: ${latency.measured} single-event transactions at ${latency.rate}/s over ${secondsOrDash(latency.measuredMs)} (after ${secondsOrDash(latency.warmupMs)} warm-up)`,
      `  includes the consumer's fetch (maxWaitTimeInMs ${latency.consumerMaxWaitMs}); relay woken by LISTEN/NOTIFY`,
      table(['', 'p50', 'p95', 'p99', 'max', 'mean'], [['ms', ...latencyCells(latency.latencyMs)]]),
      `  bench event loop delay: p99 ${latency.eventLoopDelayMs.p99.toFixed(1)} ms, max ${latency.eventLoopDelayMs.max.toFixed(1)} ms`,
      stepLine(latency.profile),
    );
  if (outage)
    lines.push(
      '',
      `outage: ${outage.rate}/s appendToOutbox transactions throughout; ${secondsOrDash(outage.leadMs)} of flow, then the broker stopped`,
      `  stop took ${secondsOrDash(outage.stopMs)}, down ${secondsOrDash(outage.downMs)}, start → healthy ${secondsOrDash(outage.startMs)}`,
      `  backlog peak ${outage.backlogPeak} events`,
      `  relay's first successful publish ${secondsOrDash(outage.relayBackMs)} after healthy; backlog drained ${secondsOrDash(outage.recoveryMs)} after healthy`,
      `  inserts: ${outage.inserted} committed, ${outage.insertErrors} failed; transaction ms p50 ${ms(outage.insertMs?.p50)}, p99 ${ms(outage.insertMs?.p99)}, max ${ms(outage.insertMs?.max)}`,
      stepLine(outage.profile),
      '  relay status:',
      ...outage.statusLog.map((line) => `    ${line}`),
    );
  return lines;
}

function cpuLines({ rounds, latency, outage }: RelayResults): string[] {
  const rows: { label: string; cpu: CpuSplit }[] = rounds.flatMap((round, i) => [
    ...(round.ceiling
      ? [
          { label: `${i + 1}: raw`, cpu: round.ceiling.raw.cpu },
          { label: `${i + 1}: publisher`, cpu: round.ceiling.publisher.cpu },
        ]
      : []),
    ...(round.drain ? [{ label: `${i + 1}: relay drain`, cpu: round.drain.cpu }] : []),
  ]);
  if (latency) rows.push({ label: 'latency', cpu: latency.cpu });
  if (outage) rows.push({ label: 'outage', cpu: outage.cpu });
  if (rows.length === 0) return [];
  const lines = [
    '',
    `CPU per process group (% of one core; ${rows[0]!.cpu.cores} cores; postgres is the stack's, shared):`,
    cpuGroupTable('phase', rows),
  ];
  const busiestOutside = Math.max(...rows.map(({ cpu }) => outsideShare(cpu)));
  if (busiestOutside >= 20)
    lines.push(
      `  warning: up to ${busiestOutside.toFixed(0)}% of a core went to processes outside the bench and the stack: expect noisy numbers`,
    );
  return lines;
}

export function relayReport(
  results: RelayResults,
  checks: Check[],
  settings: { batchSize: number; concurrency: number },
): string {
  return [
    ...(results.rounds.length > 0 ? throughputLines(results, settings) : []),
    ...latencyAndOutageLines(results),
    ...cpuLines(results),
    '',
    'checks:',
    ...checkLines(checks, 66),
  ].join('\n');
}

export function jsonReport(run: RelayRun, results: RelayResults, checks: Check[]) {
  const { sizes, phases, config } = run.options;
  const cpu = (split: { groups: [string, number][] } | undefined) =>
    split && Object.fromEntries(split.groups);
  return {
    runId: run.runId,
    machine: { cores: os.availableParallelism(), node: process.version },
    options: { ...sizes, phases: [...phases], partitions: config.KAFKA_TOPIC_PARTITIONS },
    targets: TARGETS,
    rounds: results.rounds.map(({ ceiling, drain }) => ({
      ceiling: ceiling && {
        ...ceiling,
        raw: { ...ceiling.raw, cpu: cpu(ceiling.raw.cpu) },
        publisher: { ...ceiling.publisher, cpu: cpu(ceiling.publisher.cpu) },
      },
      drain: drain && {
        ...drain,
        cpu: cpu(drain.cpu),
        perBatch: perBatch(drain.profile, drain.ms),
      },
    })),
    throughput: throughputSummary(results),
    latency: results.latency && { ...results.latency, cpu: cpu(results.latency.cpu) },
    outage: results.outage && { ...results.outage, cpu: cpu(results.outage.cpu) },
    checks,
    pass: checks.every((c) => c.ok) && !run.signal.aborted,
  };
}
