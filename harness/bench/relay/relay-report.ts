import { isOutside, type CpuSplit } from '../support/cpu.js';
import type { DeliveryCheck } from '../../support/kafka-readback.js';
import type { LatencySummary } from '../support/load.js';
import type { OutboxState } from './outbox-load.js';
import { perBatch, type RelayProfile } from './relay-profile.js';
import type { CeilingResult, DrainResult, LatencyResult, OutageResult } from './relay-phases.js';
import { ms, table } from '../support/report.js';

export interface RelayTargets {
  ratio: number;
  p99Ms: number;
  recoveryMs: number;
}

export interface Check {
  name: string;
  value: string;
  ok: boolean;
}

export interface RelayRound {
  ceiling?: CeilingResult;
  drain?: DrainResult;
}

export interface RelayResults {
  /** Prefill, ceiling and drain, repeated: on a shared machine one measurement says little. */
  rounds: RelayRound[];
  latency?: LatencyResult;
  outage?: OutageResult;
}

const seconds = (value: number | undefined) =>
  value === undefined ? '-' : `${(value / 1000).toFixed(1)} s`;
const perS = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(0));

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const roundRatio = ({ ceiling, drain }: RelayRound) =>
  ceiling && drain && ceiling.raw.perSecond > 0
    ? drain.perSecond / ceiling.raw.perSecond
    : undefined;

/** Medians over the rounds; the ratio is the median of each round's relay / raw (measured minutes apart at most). */
export function throughputSummary({ rounds }: RelayResults) {
  const of = (pick: (round: RelayRound) => number | undefined) =>
    median(rounds.map(pick).filter((v): v is number => v !== undefined));
  return {
    raw: of((r) => r.ceiling?.raw.perSecond),
    publisher: of((r) => r.ceiling?.publisher.perSecond),
    relay: of((r) => r.drain?.perSecond),
    ratio: of(roundRatio),
  };
}

const deliveryText = (d: DeliveryCheck) =>
  `${d.received}/${d.expected} in Kafka, missing ${d.missing}, out of order ${d.outOfOrder}, ` +
  `duplicates ${d.duplicates}${d.unknown > 0 ? `, unknown ${d.unknown}` : ''}`;
const deliveryOk = (d: DeliveryCheck) => d.missing === 0 && d.outOfOrder === 0 && d.unknown === 0;

const stateText = (s: OutboxState) =>
  `${s.total} rows, ${s.unpublished} unpublished, ${s.numbered} distinct log_sequence`;
const stateOk = (s: OutboxState, expected: number) =>
  s.total === expected && s.unpublished === 0 && s.numbered === s.total;

export function relayChecks(results: RelayResults, targets: RelayTargets): Check[] {
  const checks: Check[] = [];
  const { latency, outage } = results;
  const drains = results.rounds.flatMap((r) => (r.drain ? [r.drain] : []));
  const summary = throughputSummary(results);
  if (summary.ratio !== undefined)
    checks.push({
      name: `relay drain / raw kafkajs ≥ ${targets.ratio} (median of ${drains.length} rounds)`,
      value: `${summary.ratio.toFixed(2)} (medians ${perS(summary.relay)} / ${perS(summary.raw)} events/s)`,
      ok: summary.ratio >= targets.ratio,
    });
  if (drains.length > 0) {
    const sum = (pick: (d: DrainResult) => number) => drains.reduce((n, d) => n + pick(d), 0);
    const delivery: DeliveryCheck = {
      expected: sum((d) => d.delivery.expected),
      received: sum((d) => d.delivery.received),
      missing: sum((d) => d.delivery.missing),
      duplicates: sum((d) => d.delivery.duplicates),
      unknown: sum((d) => d.delivery.unknown),
      outOfOrder: sum((d) => d.delivery.outOfOrder),
    };
    const state: OutboxState = {
      total: sum((d) => d.state.total),
      unpublished: sum((d) => d.state.unpublished),
      numbered: sum((d) => d.state.numbered),
      misnumbered: sum((d) => d.state.misnumbered),
    };
    checks.push(
      {
        name: 'drain: every event published, each with its own log_sequence',
        value: stateText(state),
        ok: drains.every((d) => stateOk(d.state, d.events)),
      },
      {
        name: "drain: log_sequence follows each aggregate's order",
        value: `${state.misnumbered} out of order`,
        ok: state.misnumbered === 0,
      },
      {
        name: 'drain: Kafka has every event, each aggregate in order',
        value: deliveryText(delivery),
        ok: drains.every((d) => deliveryOk(d.delivery)),
      },
    );
  }
  if (latency) {
    const p99 = latency.latencyMs?.p99;
    checks.push(
      {
        name: `latency: commit → consumed p99 < ${targets.p99Ms} ms`,
        value: p99 === undefined ? 'no measurement' : `${ms(p99)} ms`,
        ok: p99 !== undefined && p99 < targets.p99Ms,
      },
      {
        name: 'latency: every committed event consumed',
        value: `${latency.measured - latency.notReceived}/${latency.measured} measured, ${latency.insertErrors} insert errors`,
        ok: latency.notReceived === 0 && latency.insertErrors === 0 && latency.measured > 0,
      },
      {
        name: 'latency: outbox and Kafka complete, each aggregate in order',
        value: `${stateText(latency.state)}; ${deliveryText(latency.delivery)}`,
        ok:
          stateOk(latency.state, latency.inserted) &&
          latency.state.misnumbered === 0 &&
          deliveryOk(latency.delivery),
      },
    );
  }
  if (outage) {
    checks.push(
      {
        name: `outage: backlog drained < ${targets.recoveryMs / 1000} s after Kafka is healthy`,
        value: outage.recoveryMs === undefined ? 'never' : seconds(outage.recoveryMs),
        ok: outage.recoveryMs !== undefined && outage.recoveryMs < targets.recoveryMs,
      },
      {
        name: 'outage: every inserted event published exactly once in the outbox',
        value: `${stateText(outage.state)}, ${outage.state.misnumbered} misnumbered (inserted ${outage.inserted})`,
        ok: stateOk(outage.state, outage.inserted) && outage.state.misnumbered === 0,
      },
      {
        name: 'outage: Kafka has every event at least once, each aggregate in order',
        value: deliveryText(outage.delivery),
        ok: deliveryOk(outage.delivery),
      },
      {
        name: 'outage: inserts unaffected (no failed transaction)',
        value: `${outage.insertErrors} failed of ${outage.inserted + outage.insertErrors}`,
        ok: outage.insertErrors === 0,
      },
    );
  }
  return checks;
}

function cpuTable(rows: [string, CpuSplit][]): string {
  const order = new Map<string, number>();
  for (const [, cpu] of rows)
    for (const [group, percent] of cpu.groups) order.set(group, (order.get(group) ?? 0) + percent);
  const groups = [...order].sort((a, b) => b[1] - a[1]).map(([group]) => group);
  return table(
    ['phase', ...groups, 'machine busy'],
    rows.map(([label, cpu]) => {
      const byGroup = new Map(cpu.groups);
      return [
        label,
        ...groups.map((g) => `${(byGroup.get(g) ?? 0).toFixed(0)}%`),
        `${cpu.machineBusyPercent.toFixed(0)}% of ${cpu.cores * 100}%`,
      ];
    }),
  );
}

const latencyCells = (s: LatencySummary | undefined) =>
  [s?.p50, s?.p95, s?.p99, s?.max, s?.mean].map(ms);

const average = (total: number, count: number) => ms(count > 0 ? total / count : undefined);

/** Per call, for a relay loop whose lanes also sit idle (so no `other`). */
const stepLine = (p: RelayProfile) =>
  `  relay: ${p.claims} claims (${p.emptyClaims} empty), ${p.published} events published; ` +
  `ms per call: claim ${average(p.claimMs, p.claims)}, publish ${average(p.publishMs, p.publishes)}, mark ${average(p.markMs, p.marks)}` +
  (p.publishFailures > 0 ? `; ${p.publishFailures} failed publishes` : '');

export function relayReport(
  results: RelayResults,
  checks: Check[],
  settings: { batchSize: number; concurrency: number },
): string {
  const { rounds, latency, outage } = results;
  const lines: string[] = [];
  if (rounds.length > 0) {
    const first = rounds.find((r) => r.ceiling)?.ceiling;
    const rows = rounds.map((round, i) => {
      const p = round.drain && perBatch(round.drain.profile, round.drain.ms);
      const ratio = roundRatio(round);
      return [
        String(i + 1),
        perS(round.ceiling?.raw.perSecond),
        perS(round.ceiling?.publisher.perSecond),
        perS(round.drain?.perSecond),
        ratio === undefined ? '-' : ratio.toFixed(2),
        seconds(round.drain?.ms),
        ms(p?.claimMs),
        ms(p?.publishMs),
        ms(p?.markMs),
        ms(p?.otherMs),
        p ? `${p.busyLanes.toFixed(1)} of ${settings.concurrency}` : '-',
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
    lines.push(
      '',
      `throughput, events/s: batches of ${settings.batchSize}, ${settings.concurrency} lane(s), acks -1` +
        (first
          ? `; ${first.raw.events} messages of ~${first.valueBytes.toFixed(0)} B value (payload ~${first.payloadBytes.toFixed(0)} B) + headers`
          : ''),
      "  raw = kafkajs sendBatch of pre-built messages; publisher = the relay's KafkaPublisher without the database;",
      '  relay = createOutboxRelay().drain() until the backlog is 0; claim/publish/mark/other = ms per batch in one lane',
      table(
        [
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
        ],
        rows,
      ),
      "  other = the rest of the transaction: BEGIN/COMMIT, Prisma's transaction handling, waiting for a pooled connection;",
      '  busy lanes = lanes inside a transaction, on average (a lane stops at its first empty claim)',
    );
  }
  if (latency) {
    lines.push(
      '',
      `latency, commit → consumed: ${latency.measured} single-event transactions at ${latency.rate}/s over ${seconds(latency.measuredMs)} (after ${seconds(latency.warmupMs)} warm-up)`,
      `  includes the consumer's fetch (maxWaitTimeInMs ${latency.consumerMaxWaitMs}); relay woken by LISTEN/NOTIFY`,
      table(['', 'p50', 'p95', 'p99', 'max', 'mean'], [['ms', ...latencyCells(latency.latencyMs)]]),
      `  bench event loop delay: p99 ${latency.eventLoopDelayMs.p99.toFixed(1)} ms, max ${latency.eventLoopDelayMs.max.toFixed(1)} ms`,
      stepLine(latency.profile),
    );
  }
  if (outage) {
    lines.push(
      '',
      `outage: ${outage.rate}/s appendToOutbox transactions throughout; ${seconds(outage.leadMs)} of flow, then the broker stopped`,
      `  stop took ${seconds(outage.stopMs)}, down ${seconds(outage.downMs)}, start → healthy ${seconds(outage.startMs)}`,
      `  backlog peak ${outage.backlogPeak} events`,
      `  relay's first successful publish ${seconds(outage.relayBackMs)} after healthy; backlog drained ${seconds(outage.recoveryMs)} after healthy`,
      `  inserts: ${outage.inserted} committed, ${outage.insertErrors} failed; transaction ms p50 ${ms(outage.insertMs?.p50)}, p99 ${ms(outage.insertMs?.p99)}, max ${ms(outage.insertMs?.max)}`,
      stepLine(outage.profile),
      '  relay status:',
      ...outage.statusLog.map((line) => `    ${line}`),
    );
  }
  const cpuRows: [string, CpuSplit][] = rounds.flatMap((round, i): [string, CpuSplit][] => [
    ...(round.ceiling
      ? ([
          [`${i + 1}: raw`, round.ceiling.raw.cpu],
          [`${i + 1}: publisher`, round.ceiling.publisher.cpu],
        ] as [string, CpuSplit][])
      : []),
    ...(round.drain ? ([[`${i + 1}: relay drain`, round.drain.cpu]] as [string, CpuSplit][]) : []),
  ]);
  if (latency) cpuRows.push(['latency', latency.cpu]);
  if (outage) cpuRows.push(['outage', outage.cpu]);
  if (cpuRows.length > 0) {
    const cores = cpuRows[0]![1].cores;
    lines.push(
      '',
      `CPU per process group (% of one core; ${cores} cores; postgres is the stack's, shared):`,
      cpuTable(cpuRows),
    );
    const busiestOutside = Math.max(
      ...cpuRows.map(([, cpu]) =>
        cpu.groups
          .filter(([group]) => isOutside(group))
          .reduce((sum, [, percent]) => sum + percent, 0),
      ),
    );
    if (busiestOutside >= 20)
      lines.push(
        `  warning: up to ${busiestOutside.toFixed(0)}% of a core went to processes outside the bench and the stack: expect noisy numbers`,
      );
  }
  lines.push(
    '',
    'checks:',
    ...checks.map((c) => `  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(66)} ${c.value}`),
  );
  return lines.join('\n');
}
