import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sleep } from '../../support/polling.js';
import { cpuSnapshot, cpuSplit, type CpuSplit } from '../support/cpu.js';
import { connectionStats } from '../support/http-client.js';
import type { StormRun } from './resources.js';

const SEAT_SAMPLE_MS = 100;

/** TcpExt ListenOverflows from /proc/net/netstat: SYNs dropped because an accept queue was full. */
function listenOverflows(): number | undefined {
  try {
    const lines = fs.readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const at = lines.findIndex((line) => line.startsWith('TcpExt:'));
    const names = lines[at]?.split(/\s+/) ?? [];
    const values = lines[at + 1]?.split(/\s+/) ?? [];
    const value = Number(values[names.indexOf('ListenOverflows')]);
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface SeatSamples {
  lowest: number | undefined;
  current: number | undefined;
  count: number;
}

/**
 * Availability as Postgres has it, sampled while the storm runs (never negative, or something is
 * badly wrong). `stop()` takes one last sample.
 */
export function sampleSeats(run: StormRun, eventId: string) {
  const samples: SeatSamples = { lowest: undefined, current: undefined, count: 0 };
  let sampling = false;
  const sample = async () => {
    if (sampling) return;
    sampling = true;
    try {
      const rows = await run.prisma.$queryRaw<{ available_seats: number }[]>`
        SELECT available_seats FROM events WHERE id = ${eventId}`;
      samples.current = rows[0]?.available_seats;
      if (samples.current !== undefined) {
        samples.count++;
        samples.lowest = Math.min(samples.lowest ?? Infinity, samples.current);
      }
    } catch {
      /* a missed sample is no finding */
    } finally {
      sampling = false;
    }
  };
  const sampler = setInterval(() => void sample(), SEAT_SAMPLE_MS);
  return {
    samples,
    async stop() {
      clearInterval(sampler);
      while (sampling) await sleep(10);
      await sample();
    },
  };
}

/** Is the client the bottleneck? What the storm cost this process and this machine. */
export interface ClientSide {
  cpu: CpuSplit | undefined;
  loopDelay: { p99: number; max: number };
  /** The client's connections during the storm. */
  connections: { opened: number; peakOpen: number; connectMs: number[] };
  /** Connection attempts this machine dropped because a listen queue was full (all processes). */
  listenOverflows: number | undefined;
}

/** Starts measuring the client side; `stop()` returns what it saw since. */
export function measureClientSide(run: StormRun) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const cpuBefore = cpuSnapshot(run.known);
  const stats = connectionStats(run.agent)!;
  const overflowsBefore = listenOverflows();
  const [openedBefore, connectsBefore] = [stats.opened, stats.connectMs.length];
  stats.peakOpen = stats.open;
  loop.enable();
  return {
    /** Stops the event-loop monitor at once; CPU and connections are read as they are now. */
    stop(): ClientSide {
      loop.disable();
      const overflowsAfter = listenOverflows();
      const cpu = cpuSplit(cpuBefore, cpuSnapshot(run.known));
      return {
        cpu,
        loopDelay: { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
        connections: {
          opened: stats.opened - openedBefore,
          peakOpen: stats.peakOpen,
          connectMs: stats.connectMs.slice(connectsBefore),
        },
        listenOverflows:
          overflowsBefore !== undefined && overflowsAfter !== undefined
            ? overflowsAfter - overflowsBefore
            : undefined,
      };
    },
  };
}
