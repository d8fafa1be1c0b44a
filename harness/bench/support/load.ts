/** A closed loop: `concurrency` clients, each starting its next request when the previous one ended. */

export type Outcome = { ok: true; eager?: boolean } | { ok: false; error: string };

export interface LoadOptions {
  label: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** One request; never rejects (failures are outcomes). `seq` is unique within the run of this loop. */
  runOne: (seq: number) => Promise<Outcome>;
  /** Ends the loop early (Ctrl-C): clients start nothing new. */
  signal: AbortSignal;
  onMeasureStart?: () => void;
  onMeasureEnd?: () => void;
  progress?: (line: string, final: boolean) => void;
}

export interface LoadResult {
  label: string;
  /** Wall time of the measured phase, ms. */
  measuredMs: number;
  /** Successful requests that ended inside the measured phase, and their latencies (ms). */
  completed: number;
  latenciesMs: number[];
  /** Failed requests that ended inside the measured phase, by reason. */
  errors: Map<string, number>;
  /** Requests started over the whole loop (warm-up and drain included). */
  issued: number;
  /** Of the successful measured requests, how many the server started eagerly (eager workflow start). */
  eager: number;
  aborted: boolean;
}

const now = () => performance.now();

export async function runClosedLoop(options: LoadOptions): Promise<LoadResult> {
  const { concurrency, warmupMs, durationMs, runOne, signal } = options;
  const begin = now();
  const measureStart = begin + warmupMs;
  const measureEnd = measureStart + durationMs;
  const result: LoadResult = {
    label: options.label,
    measuredMs: durationMs,
    completed: 0,
    latenciesMs: [],
    errors: new Map(),
    issued: 0,
    eager: 0,
    aborted: false,
  };
  let inFlight = 0;
  let doneTotal = 0;
  let errorsTotal = 0;
  let seq = 0;
  let abortedAt: number | undefined;
  signal.addEventListener('abort', () => (abortedAt = now()), { once: true });

  let measuring: 'before' | 'during' | 'after' = 'before';
  const startTimer = setTimeout(
    () => {
      measuring = 'during';
      options.onMeasureStart?.();
    },
    Math.max(0, measureStart - now()),
  );
  const endMeasure = () => {
    if (measuring !== 'during') return;
    measuring = 'after';
    options.onMeasureEnd?.();
  };
  const endTimer = setTimeout(endMeasure, Math.max(0, measureEnd - now()));
  signal.addEventListener('abort', endMeasure, { once: true });

  let lastCount = 0;
  let lastAt = begin;
  const report = (final: boolean) => {
    const t = now();
    const rate = ((doneTotal - lastCount) * 1000) / Math.max(1, t - lastAt);
    lastCount = doneTotal;
    lastAt = t;
    const phase =
      t < measureStart
        ? `warm-up ${((t - begin) / 1000).toFixed(0)}/${warmupMs / 1000}s`
        : t < measureEnd
          ? `measuring ${((t - measureStart) / 1000).toFixed(0)}/${durationMs / 1000}s`
          : 'draining';
    options.progress?.(
      `${options.label.padEnd(34)} ${phase.padEnd(18)} completed ${String(result.completed).padStart(6)} (all ${doneTotal})  ` +
        `${rate.toFixed(0).padStart(4)}/s  errors ${errorsTotal}  in flight ${inFlight}`,
      final,
    );
  };
  const ticker = setInterval(() => report(false), 1_000);

  const client = async () => {
    while (now() < measureEnd && !signal.aborted) {
      const id = seq++;
      result.issued++;
      inFlight++;
      const t0 = now();
      let outcome: Outcome;
      try {
        outcome = await runOne(id);
      } catch (error) {
        outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
      const t1 = now();
      inFlight--;
      doneTotal += outcome.ok ? 1 : 0;
      errorsTotal += outcome.ok ? 0 : 1;
      if (t1 < measureStart || t1 >= Math.min(measureEnd, abortedAt ?? Infinity)) continue;
      if (outcome.ok) {
        result.completed++;
        result.latenciesMs.push(t1 - t0);
        if (outcome.eager) result.eager++;
      } else {
        const reason = outcome.error.slice(0, 120);
        result.errors.set(reason, (result.errors.get(reason) ?? 0) + 1);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, client));
  } finally {
    clearInterval(ticker);
    clearTimeout(startTimer);
    clearTimeout(endTimer);
  }
  signal.removeEventListener('abort', endMeasure);
  if (signal.aborted) {
    result.aborted = true;
    result.measuredMs = Math.max(0, Math.min(abortedAt ?? now(), measureEnd) - measureStart);
  }
  report(true);
  return result;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles. */
export function summarize(latenciesMs: number[]): LatencySummary | undefined {
  if (latenciesMs.length === 0) return undefined;
  const sorted = Float64Array.from(latenciesMs).sort();
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1]!, mean };
}
