import type { DeliveryCheck } from '../../support/kafka-readback.js';
import { seconds } from '../../support/polling.js';
import type { Check } from '../support/checks.js';
import { ms } from '../support/report.js';
import type { CeilingResult } from './ceiling.phase.js';
import type { DrainResult } from './drain.phase.js';
import type { LatencyResult } from './latency.phase.js';
import type { OutageResult } from './outage.phase.js';
import type { OutboxState } from './outbox-load.js';

export interface RelayTargets {
  ratio: number;
  p99Ms: number;
  recoveryMs: number;
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

/** `12.3 s`, or `-` when there is no value. */
export const secondsOrDash = (value: number | undefined) =>
  value === undefined ? '-' : seconds(value);
export const perS = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(0));

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const roundRatio = ({ ceiling, drain }: RelayRound) =>
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

/** The rounds' drains together: every event out, numbered once, in order, in Kafka. */
function drainChecks(drains: DrainResult[]): Check[] {
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
  return [
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
  ];
}

function latencyChecks(latency: LatencyResult, targets: RelayTargets): Check[] {
  const p99 = latency.latencyMs?.p99;
  return [
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
  ];
}

function outageChecks(outage: OutageResult, targets: RelayTargets): Check[] {
  return [
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
  ];
}

export function relayChecks(results: RelayResults, targets: RelayTargets): Check[] {
  const checks: Check[] = [];
  const drains = results.rounds.flatMap((r) => (r.drain ? [r.drain] : []));
  const summary = throughputSummary(results);
  if (summary.ratio !== undefined)
    checks.push({
      name: `relay drain / raw kafkajs ≥ ${targets.ratio} (median of ${drains.length} rounds)`,
      value: `${summary.ratio.toFixed(2)} (medians ${perS(summary.relay)} / ${perS(summary.raw)} events/s)`,
      ok: summary.ratio >= targets.ratio,
    });
  if (drains.length > 0) checks.push(...drainChecks(drains));
  if (results.latency) checks.push(...latencyChecks(results.latency, targets));
  if (results.outage) checks.push(...outageChecks(results.outage, targets));
  return checks;
}
