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

/** The loop's clock: warm-up from `begin`, measured from `measureStart` to `measureEnd`. */
interface Window {
  begin: number;
  measureStart: number;
  measureEnd: number;
  /** When the signal aborted, if it did. */
  abortedAt?: number;
}

/** What the clients did so far, over the whole loop and within the measured phase. */
interface Tally {
  result: LoadResult;
  seq: number;
  inFlight: number;
  doneTotal: number;
  errorsTotal: number;
}

/**
 * Calls `onMeasureStart` once the warm-up is over and `onMeasureEnd` when the measured phase ends
 * or the signal aborts, whichever comes first; returns the cancel for both timers.
 */
function measuringPhase(options: LoadOptions, window: Window): () => void {
  let measuring: 'before' | 'during' | 'after' = 'before';
  const startTimer = setTimeout(
    () => {
      measuring = 'during';
      options.onMeasureStart?.();
    },
    Math.max(0, window.measureStart - now()),
  );
  const endMeasure = () => {
    if (measuring !== 'during') return;
    measuring = 'after';
    options.onMeasureEnd?.();
  };
  const endTimer = setTimeout(endMeasure, Math.max(0, window.measureEnd - now()));
  options.signal.addEventListener('abort', endMeasure, { once: true });
  return () => {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    options.signal.removeEventListener('abort', endMeasure);
  };
}

/** A progress line: phase, completions (measured and all), rate since the last line, errors. */
function progressReporter(options: LoadOptions, window: Window, tally: Tally) {
  const { warmupMs, durationMs } = options;
  let lastCount = 0;
  let lastAt = window.begin;
  return (final: boolean) => {
    const t = now();
    const rate = ((tally.doneTotal - lastCount) * 1000) / Math.max(1, t - lastAt);
    lastCount = tally.doneTotal;
    lastAt = t;
    const phase =
      t < window.measureStart
        ? `warm-up ${((t - window.begin) / 1000).toFixed(0)}/${warmupMs / 1000}s`
        : t < window.measureEnd
          ? `measuring ${((t - window.measureStart) / 1000).toFixed(0)}/${durationMs / 1000}s`
          : 'draining';
    options.progress?.(
      `${options.label.padEnd(34)} ${phase.padEnd(18)} completed ${String(tally.result.completed).padStart(6)} (all ${tally.doneTotal})  ` +
        `${rate.toFixed(0).padStart(4)}/s  errors ${tally.errorsTotal}  in flight ${tally.inFlight}`,
      final,
    );
  };
}

/** One client: request after request until the measured phase is over or the signal aborts. */
async function client(options: LoadOptions, window: Window, tally: Tally): Promise<void> {
  const { result } = tally;
  while (now() < window.measureEnd && !options.signal.aborted) {
    const id = tally.seq++;
    result.issued++;
    tally.inFlight++;
    const t0 = now();
    let outcome: Outcome;
    try {
      outcome = await options.runOne(id);
    } catch (error) {
      outcome = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    const t1 = now();
    tally.inFlight--;
    tally.doneTotal += outcome.ok ? 1 : 0;
    tally.errorsTotal += outcome.ok ? 0 : 1;
    if (t1 < window.measureStart || t1 >= Math.min(window.measureEnd, window.abortedAt ?? Infinity))
      continue;
    if (outcome.ok) {
      result.completed++;
      result.latenciesMs.push(t1 - t0);
      if (outcome.eager) result.eager++;
    } else {
      const reason = outcome.error.slice(0, 120);
      result.errors.set(reason, (result.errors.get(reason) ?? 0) + 1);
    }
  }
}

export async function runClosedLoop(options: LoadOptions): Promise<LoadResult> {
  const { concurrency, warmupMs, durationMs, signal } = options;
  const begin = now();
  const window: Window = {
    begin,
    measureStart: begin + warmupMs,
    measureEnd: begin + warmupMs + durationMs,
  };
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
  const tally: Tally = { result, seq: 0, inFlight: 0, doneTotal: 0, errorsTotal: 0 };
  signal.addEventListener('abort', () => (window.abortedAt = now()), { once: true });
  const stopMeasuring = measuringPhase(options, window);
  const report = progressReporter(options, window, tally);
  const ticker = setInterval(() => report(false), 1_000);
  try {
    await Promise.all(Array.from({ length: concurrency }, () => client(options, window, tally)));
  } finally {
    clearInterval(ticker);
    stopMeasuring();
  }
  if (signal.aborted) {
    result.aborted = true;
    result.measuredMs = Math.max(
      0,
      Math.min(window.abortedAt ?? now(), window.measureEnd) - window.measureStart,
    );
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
