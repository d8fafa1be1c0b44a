/**
 * Keeps `npm start`'s processes running. One that dies while we are not stopping is started again
 * after a backoff, with one line saying which, how it died and what becomes of its work. One that
 * keeps dying is a crash loop: reported with its last output and not restarted; the caller then
 * stops everything and exits non-zero (a loop at the capped backoff would hide a broken process
 * behind a scroll of restart lines).
 */

export interface RestartPolicy {
  /** Wait before restarting after a first death; it doubles with each death in a row. */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A run this long counts as healthy: the next death starts the count (and the backoff) afresh. */
  stableAfterMs: number;
  /** Deaths in a row without a healthy run in between that make a crash loop. */
  crashLoopDeaths: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialBackoffMs: 500,
  maxBackoffMs: 10_000,
  stableAfterMs: 30_000,
  crashLoopDeaths: 5,
};

export type RestartDecision =
  | { kind: 'restart'; delayMs: number; deathsInARow: number }
  | { kind: 'crash-loop'; deathsInARow: number };

/**
 * What to do after a death: `deathsBefore` is the count in a row before it, `upForMs` how long the
 * run that just ended lasted.
 */
export function decideRestart(
  deathsBefore: number,
  upForMs: number,
  policy: RestartPolicy,
): RestartDecision {
  const deathsInARow = upForMs >= policy.stableAfterMs ? 1 : deathsBefore + 1;
  if (deathsInARow >= policy.crashLoopDeaths) return { kind: 'crash-loop', deathsInARow };
  const delayMs = Math.min(policy.initialBackoffMs * 2 ** (deathsInARow - 1), policy.maxBackoffMs);
  return { kind: 'restart', delayMs, deathsInARow };
}

/** A started process, as the supervisor sees it. */
export interface RunningProcess {
  pid: number;
  /** Resolves once it has ended, with how: its signal (`SIGKILL`) or its exit code (`exit 1`). */
  exited: Promise<string>;
  /** Sends a signal; a process that is already gone is not an error. */
  signal(signal: NodeJS.Signals): void;
  /** The last lines of its error output, for a crash-loop report. */
  lastLines(): string[];
}

export interface ProcessSpec {
  /** As the lines name it: `worker-2`, `consumers`, `api`. */
  name: string;
  start(): RunningProcess;
  /** Ends the restart line: what becomes of the work it had in flight. */
  inFlightWork: string;
}

export interface Clock {
  now(): number;
  /** Calls `callback` after `ms`; the returned function cancels that. */
  after(ms: number, callback: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};

export interface SupervisorOptions {
  /** Called once a process is in a crash loop (it is not restarted): stop everything, exit non-zero. */
  onCrashLoop(name: string): void;
  policy?: Partial<RestartPolicy>;
  clock?: Clock;
  /** Where the restart and crash-loop lines go (default: stderr). */
  report?: (line: string) => void;
  /** How long `stop()` waits after SIGTERM before it sends SIGKILL. */
  stopGraceMs?: number;
}

export interface Supervisor {
  /** Starts the process (a failure to spawn it throws) and keeps it running until `stop()`. */
  run(spec: ProcessSpec): RunningProcess;
  /** The pid of its current run; undefined between a death and the restart. */
  pidOf(name: string): number | undefined;
  /** Cancels pending restarts, SIGTERMs every process (SIGKILL after the grace), resolves once all are gone. */
  stop(): Promise<void>;
}

interface Slot {
  spec: ProcessSpec;
  current?: RunningProcess;
  startedAt: number;
  deathsInARow: number;
  cancelRestart?: () => void;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/** `exit 0` exited; anything else (a signal, a non-zero code, a failed spawn) died. */
const death = (how: string) => (how === 'exit 0' ? `exited (${how})` : `died (${how})`);

/** The loud report of a crash loop: which process, how it last died, its last error lines. */
function crashLoopReport(
  name: string,
  lastDeath: string,
  deathsInARow: number,
  policy: RestartPolicy,
  lastLines: string[],
): string {
  return [
    '',
    `CRASH LOOP: ${lastDeath}: ${deathsInARow} deaths in a row, none after a run ` +
      `of ${seconds(policy.stableAfterMs)}. Not restarting ${name}; stopping everything.`,
    `--- last lines of ${name}'s error output ---`,
    ...(lastLines.length > 0 ? lastLines : ['(none)']),
    '---',
  ].join('\n');
}

/** SIGTERM, SIGKILL after `graceMs`; resolves once the process is gone. */
function stopProcess(child: RunningProcess, clock: Clock, graceMs: number): Promise<void> {
  child.signal('SIGTERM');
  const cancelKill = clock.after(graceMs, () => child.signal('SIGKILL'));
  return child.exited.then(cancelKill);
}

export function createSupervisor(options: SupervisorOptions): Supervisor {
  const policy = { ...DEFAULT_RESTART_POLICY, ...options.policy };
  const clock = options.clock ?? systemClock;
  const report = options.report ?? ((line: string) => console.error(line));
  const stopGraceMs = options.stopGraceMs ?? 15_000;
  const slots = new Map<string, Slot>();
  let stopping = false;
  let stopped = Promise.resolve();

  function launch(slot: Slot): RunningProcess {
    const child = slot.spec.start();
    slot.current = child;
    slot.startedAt = clock.now();
    void child.exited.then((how) => onExit(slot, child, how));
    return child;
  }

  function onExit(slot: Slot, child: RunningProcess | undefined, how: string) {
    if (slot.current === child) slot.current = undefined;
    if (stopping) return;
    const { name, inFlightWork } = slot.spec;
    const decision = decideRestart(slot.deathsInARow, clock.now() - slot.startedAt, policy);
    slot.deathsInARow = decision.deathsInARow;
    const who = child ? `${name} (pid ${child.pid})` : name;
    if (decision.kind === 'crash-loop') {
      const lastLines = child?.lastLines() ?? [];
      report(
        crashLoopReport(name, `${who} ${death(how)}`, decision.deathsInARow, policy, lastLines),
      );
      options.onCrashLoop(name);
      return;
    }
    report(`${who} ${death(how)}; restarting in ${seconds(decision.delayMs)} — ${inFlightWork}`);
    slot.cancelRestart = clock.after(decision.delayMs, () => restart(slot));
  }

  function restart(slot: Slot) {
    slot.cancelRestart = undefined;
    if (stopping) return;
    try {
      report(`${slot.spec.name} restarted (pid ${launch(slot).pid})`);
    } catch (error) {
      // A failed spawn (e.g. out of processes) counts as one more death.
      slot.startedAt = clock.now();
      onExit(slot, undefined, `failed to start: ${(error as Error).message}`);
    }
  }

  return {
    run(spec) {
      if (slots.has(spec.name)) throw new Error(`${spec.name} is already supervised`);
      const slot: Slot = { spec, startedAt: clock.now(), deathsInARow: 0 };
      slots.set(spec.name, slot);
      return launch(slot);
    },
    pidOf: (name) => slots.get(name)?.current?.pid,
    stop() {
      if (stopping) return stopped;
      stopping = true;
      stopped = Promise.all(
        [...slots.values()].map((slot) => {
          slot.cancelRestart?.();
          return slot.current ? stopProcess(slot.current, clock, stopGraceMs) : undefined;
        }),
      ).then(() => {});
      return stopped;
    },
  };
}
