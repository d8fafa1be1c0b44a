import { describe, expect, it } from 'vitest';
import {
  createSupervisor,
  decideRestart,
  DEFAULT_RESTART_POLICY,
  parseStartArgs,
  sagaWorkerSlots,
  type Clock,
  type ProcessSpec,
  type RunningProcess,
} from '../support/harness.js';

/** A clock whose time moves only when the test says so; due timers fire in order. */
function fakeClock() {
  let now = 0;
  let timers: { at: number; callback: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    after(ms, callback) {
      const timer = { at: now + ms, callback };
      timers.push(timer);
      return () => (timers = timers.filter((t) => t !== timer));
    },
  };
  async function advance(ms: number) {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.callback();
      await settle();
    }
    now = until;
    await settle();
  }
  return { clock, advance, pending: () => timers.length };
}

/** Lets the supervisor see exits (they arrive as promise resolutions). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

interface FakeProcess extends RunningProcess {
  signals: NodeJS.Signals[];
  die(how: string): Promise<void>;
}

let nextPid = 100;

function fakeProcess({ exitOn = ['SIGTERM'] as NodeJS.Signals[], lines = [] as string[] } = {}) {
  let resolveExit!: (how: string) => void;
  const exited = new Promise<string>((resolve) => (resolveExit = resolve));
  let alive = true;
  const die = async (how: string) => {
    if (alive) resolveExit(how);
    alive = false;
    await settle();
  };
  const child: FakeProcess = {
    pid: nextPid++,
    exited,
    signals: [],
    signal(signal) {
      child.signals.push(signal);
      if (alive && (exitOn.includes(signal) || signal === 'SIGKILL')) void die(signal);
    },
    lastLines: () => lines,
    die,
  };
  return child;
}

/** A supervisor over one process spec whose runs are recorded, with a fake clock. */
function supervised(options: { exitOn?: NodeJS.Signals[]; lines?: string[] } = {}) {
  const { clock, advance, pending } = fakeClock();
  const lines: string[] = [];
  const runs: FakeProcess[] = [];
  const crashLoops: string[] = [];
  const supervisor = createSupervisor({
    clock,
    report: (line) => lines.push(line),
    onCrashLoop: (name) => crashLoops.push(name),
    stopGraceMs: 15_000,
  });
  const spec: ProcessSpec = {
    name: 'worker-2',
    start: () => {
      const child = fakeProcess(options);
      runs.push(child);
      return child;
    },
    inFlightWork: 'its in-flight sagas resume on the new worker',
  };
  supervisor.run(spec);
  const current = () => runs.at(-1)!;
  return { supervisor, advance, pending, lines, runs, crashLoops, current };
}

describe('decideRestart', () => {
  const policy = DEFAULT_RESTART_POLICY;

  it('backs off 0.5 s, doubling with each death in a row, capped at 10 s', () => {
    const loose = { ...policy, crashLoopDeaths: 100 };
    const delays: number[] = [];
    let deaths = 0;
    for (let i = 0; i < 8; i++) {
      const decision = decideRestart(deaths, 1_000, loose);
      if (decision.kind !== 'restart') throw new Error('expected a restart');
      delays.push(decision.delayMs);
      deaths = decision.deathsInARow;
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000]);
  });

  it('starts afresh after a run of 30 s or more', () => {
    expect(decideRestart(3, 30_000, policy)).toEqual({
      kind: 'restart',
      delayMs: 500,
      deathsInARow: 1,
    });
    expect(decideRestart(3, 29_999, policy)).toMatchObject({ delayMs: 4_000, deathsInARow: 4 });
  });

  it('calls the 5th death in a row without a 30 s run a crash loop', () => {
    expect(decideRestart(4, 29_999, policy)).toEqual({ kind: 'crash-loop', deathsInARow: 5 });
    expect(decideRestart(4, 30_000, policy).kind).toBe('restart');
  });
});

describe('the supervisor', () => {
  it('restarts a process that dies, after the backoff, with one line saying which, how, and what becomes of its work', async () => {
    const { advance, lines, runs, supervisor } = supervised();
    const first = runs[0]!;
    await first.die('SIGKILL');
    expect(lines).toEqual([
      `worker-2 (pid ${first.pid}) died (SIGKILL); restarting in 0.5 s — its in-flight sagas resume on the new worker`,
    ]);
    await advance(499);
    expect(runs).toHaveLength(1);
    expect(supervisor.pidOf('worker-2')).toBeUndefined();
    await advance(1);
    expect(runs).toHaveLength(2);
    expect(lines[1]).toBe(`worker-2 restarted (pid ${runs[1]!.pid})`);
    expect(supervisor.pidOf('worker-2')).toBe(runs[1]!.pid);
  });

  it('doubles the wait for each quick death, and starts again at 0.5 s once a run lasted 30 s', async () => {
    const { advance, lines, current } = supervised();
    const waits = () => lines.map((l) => /restarting in ([\d.]+ s)/.exec(l)?.[1]).filter(Boolean);
    for (const upFor of [1_000, 1_000, 1_000]) {
      await advance(upFor);
      await current().die('exit 1');
      await advance(10_000); // past any backoff: the next run starts
    }
    expect(waits()).toEqual(['0.5 s', '1 s', '2 s']);
    await advance(30_000);
    await current().die('SIGKILL');
    expect(waits()).toEqual(['0.5 s', '1 s', '2 s', '0.5 s']);
    expect(lines.at(-1)).toMatch(/died \(SIGKILL\); restarting in 0\.5 s/);
  });

  it('says "exited" for a clean exit, and restarts it all the same', async () => {
    const { advance, lines, runs } = supervised();
    await runs[0]!.die('exit 0');
    expect(lines[0]).toMatch(/^worker-2 \(pid \d+\) exited \(exit 0\); restarting in 0\.5 s/);
    await advance(500);
    expect(runs).toHaveLength(2);
  });

  it('reports a crash loop loudly, with the last lines of its output, and does not restart it', async () => {
    const { advance, lines, runs, crashLoops, current, pending } = supervised({
      lines: ['Error: DATABASE_URL is wrong', '    at main (saga-worker.ts:17)'],
    });
    for (let death = 1; death < 5; death++) {
      await current().die('exit 1');
      await advance(10_000);
    }
    expect(runs).toHaveLength(5);
    expect(crashLoops).toEqual([]);
    await current().die('exit 1');
    expect(crashLoops).toEqual(['worker-2']);
    expect(runs).toHaveLength(5);
    expect(pending()).toBe(0);
    const report = lines.at(-1)!;
    expect(report).toContain(
      `CRASH LOOP: worker-2 (pid ${runs[4]!.pid}) died (exit 1): 5 deaths in a row, none after a run of 30 s. Not restarting worker-2; stopping everything.`,
    );
    expect(report).toContain('Error: DATABASE_URL is wrong\n    at main (saga-worker.ts:17)');
  });

  it('stop() during a pending restart cancels it: nothing new starts', async () => {
    const { advance, runs, supervisor, lines, pending } = supervised();
    await runs[0]!.die('SIGKILL');
    expect(pending()).toBe(1);
    await supervisor.stop();
    expect(pending()).toBe(0);
    await advance(60_000);
    expect(runs).toHaveLength(1);
    expect(lines).toHaveLength(1);
  });

  it('stop() SIGTERMs each process and resolves once it is gone; a death while stopping is not restarted', async () => {
    const { advance, runs, supervisor, lines } = supervised();
    const stopped = supervisor.stop();
    expect(runs[0]!.signals).toEqual(['SIGTERM']);
    await stopped;
    await advance(60_000);
    expect(runs).toHaveLength(1);
    expect(lines).toEqual([]);
  });

  it('stop() SIGKILLs a process still running after the grace period', async () => {
    const { advance, runs, supervisor } = supervised({ exitOn: [] });
    let done = false;
    void supervisor.stop().then(() => (done = true));
    await advance(14_999);
    expect({ signals: runs[0]!.signals, done }).toEqual({ signals: ['SIGTERM'], done: false });
    await advance(1);
    expect({ signals: runs[0]!.signals, done }).toEqual({
      signals: ['SIGTERM', 'SIGKILL'],
      done: true,
    });
  });

  it('counts a failed spawn as one more death', async () => {
    const { clock, advance } = fakeClock();
    const lines: string[] = [];
    let spawns = 0;
    const supervisor = createSupervisor({
      clock,
      report: (line) => lines.push(line),
      onCrashLoop: () => {},
    });
    const first = fakeProcess();
    supervisor.run({
      name: 'api',
      inFlightWork: 'requests failed',
      start: () => {
        if (spawns++ === 0) return first;
        if (spawns === 2) throw new Error('spawn EAGAIN');
        return fakeProcess();
      },
    });
    await first.die('SIGKILL');
    await advance(500);
    expect(lines[1]).toBe(
      'api died (failed to start: spawn EAGAIN); restarting in 1 s — requests failed',
    );
    await advance(1_000);
    expect(lines[2]).toMatch(/^api restarted \(pid \d+\)$/);
  });
});

describe('npm start -- --workers N', () => {
  it('runs worker-1..N, worker i with metrics on the base port + i - 1 (all off at 0)', () => {
    expect(parseStartArgs([])).toEqual({ workers: 1 });
    expect(parseStartArgs(['--workers', '3'])).toEqual({ workers: 3 });
    expect(sagaWorkerSlots(3, 9464)).toEqual([
      { name: 'worker-1', metricsPort: 9464 },
      { name: 'worker-2', metricsPort: 9465 },
      { name: 'worker-3', metricsPort: 9466 },
    ]);
    expect(sagaWorkerSlots(2, 0).map((w) => w.metricsPort)).toEqual([0, 0]);
  });

  it('refuses a count that is not a whole number from 1 to 16, and unknown options', () => {
    for (const bad of ['0', '17', '1.5', 'two'])
      expect(() => parseStartArgs(['--workers', bad])).toThrow(
        /--workers: expected a whole number/,
      );
    expect(() => parseStartArgs(['--wokers', '2'])).toThrow();
  });
});
