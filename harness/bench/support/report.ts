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

export function cpuTable(results: ScenarioResult[], cores: number): string {
  const measured = results.filter((r) => r.cpu);
  const order = new Map<string, number>();
  for (const r of measured)
    for (const [group, percent] of r.cpu!.groups)
      order.set(group, (order.get(group) ?? 0) + percent);
  const groups = [...order].sort((a, b) => b[1] - a[1]).map(([group]) => group);
  const rows = measured.map((r) => {
    const byGroup = new Map(r.cpu!.groups);
    const perSaga = (percent: number) =>
      rate(r) > 0 ? ((10 * percent) / rate(r)).toFixed(2) : '-'; // % of a core → ms per completion
    return [
      r.label,
      ...groups.map((g) => `${(byGroup.get(g) ?? 0).toFixed(0)}%`),
      `${r.cpu!.machineBusyPercent.toFixed(0)}% of ${cores * 100}%`,
      perSaga(r.cpu!.machineBusyPercent),
    ];
  });
  return table(['scenario', ...groups, 'machine busy', 'CPU ms/op'], rows);
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
