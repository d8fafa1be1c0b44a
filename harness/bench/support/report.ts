import type { CpuSplit } from './cpu.js';
import { summarize, type LoadResult } from './load.js';

export interface ScenarioResult {
  name: string;
  label: string;
  load: LoadResult;
  cpu?: CpuSplit;
}

export interface Targets {
  throughput: number;
  p99Ms: number;
  ratio: number;
}

export const rate = (r: ScenarioResult) =>
  r.load.measuredMs > 0 ? (r.load.completed * 1000) / r.load.measuredMs : 0;

/** Milliseconds for a table cell: one decimal below 10. */
export const ms = (value: number | undefined) =>
  value === undefined ? '-' : value < 10 ? value.toFixed(1) : value.toFixed(0);

/** A plain-text table: the first `alignLeft` columns left-aligned, the rest right-aligned. */
export function table(header: string[], rows: string[][], alignLeft = 1): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i < alignLeft ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function resultsTable(results: ScenarioResult[]): string {
  const rows = results.map((r) => {
    const s = summarize(r.load.latenciesMs);
    const errors = [...r.load.errors.values()].reduce((sum, n) => sum + n, 0);
    return [
      r.label,
      String(r.load.completed),
      rate(r).toFixed(1),
      ms(s?.p50),
      ms(s?.p95),
      ms(s?.p99),
      ms(s?.max),
      String(errors),
      r.load.eager > 0
        ? `${((100 * r.load.eager) / Math.max(1, r.load.completed)).toFixed(0)}%`
        : '-',
    ];
  });
  return table(
    ['scenario', 'completed', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', 'eager'],
    rows,
  );
}

export function errorLines(results: ScenarioResult[]): string[] {
  return results.flatMap((r) =>
    [...r.load.errors]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([reason, n]) => `  ${r.label}: ${n} × ${reason}`),
  );
}

/**
 * CPU by process group (% of one core), one row per measured phase, the busiest groups first;
 * `extra` cells follow the machine's total.
 */
export function cpuGroupTable(
  first: string,
  rows: { label: string; cpu: CpuSplit; extra?: string[] }[],
  extraHeaders: string[] = [],
): string {
  const order = new Map<string, number>();
  for (const { cpu } of rows)
    for (const [group, percent] of cpu.groups) order.set(group, (order.get(group) ?? 0) + percent);
  const groups = [...order].sort((a, b) => b[1] - a[1]).map(([group]) => group);
  return table(
    [first, ...groups, 'machine busy', ...extraHeaders],
    rows.map(({ label, cpu, extra = [] }) => {
      const byGroup = new Map(cpu.groups);
      return [
        label,
        ...groups.map((g) => `${(byGroup.get(g) ?? 0).toFixed(0)}%`),
        `${cpu.machineBusyPercent.toFixed(0)}% of ${cpu.cores * 100}%`,
        ...extra,
      ];
    }),
  );
}

/** Each scenario's CPU, and what one completion cost the machine. */
export function cpuTable(results: ScenarioResult[]): string {
  const rows = results.flatMap((r) => {
    if (!r.cpu) return [];
    // % of a core → ms per completion
    const perOp = rate(r) > 0 ? ((10 * r.cpu.machineBusyPercent) / rate(r)).toFixed(2) : '-';
    return [{ label: r.label, cpu: r.cpu, extra: [perOp] }];
  });
  return cpuGroupTable('scenario', rows, ['CPU ms/op']);
}

export function targetLines(
  rest: ScenarioResult | undefined,
  ceiling: ScenarioResult | undefined,
  targets: Targets,
): string[] {
  if (!rest) return ['  (no complete REST scenario in this run: targets not evaluated)'];
  const p99 = summarize(rest.load.latenciesMs)?.p99;
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a ' : ok ? 'PASS' : 'MISS');
  const ratio = ceiling && rate(ceiling) > 0 ? rate(rest) / rate(ceiling) : undefined;
  return [
    `  throughput ≥ ${targets.throughput}/s       ${rate(rest).toFixed(1).padStart(7)}/s   ${verdict(rate(rest) >= targets.throughput)}`,
    `  p99 < ${targets.p99Ms} ms             ${(p99 === undefined ? '-' : `${p99.toFixed(0)} ms`).padStart(9)}   ${verdict(p99 === undefined ? false : p99 < targets.p99Ms)}`,
    `  ratio to ceiling ≥ ${targets.ratio}   ${(ratio === undefined ? '-' : ratio.toFixed(2)).padStart(9)}   ${verdict(ratio === undefined ? undefined : ratio >= targets.ratio)}`,
  ];
}
