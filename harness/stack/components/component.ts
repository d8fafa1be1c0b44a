import path from 'node:path';
import type { StackPaths } from '../config.js';
import {
  isAlive,
  readPid,
  spawnDaemon,
  stopProcess,
  type DaemonSpec,
} from '../../support/process-control.js';

export interface StackComponent {
  name: string;
  /** Where users reach it (printed by `stack status` and `npm start`). */
  url: string;
  /** False when its address is not on this machine: the user runs it, we only check it. */
  managed: boolean;
  /** Upper bound for becoming healthy after start, for the slow JVM servers. */
  startTimeoutMs?: number;
  isHealthy(): Promise<boolean>;
  /** Provision (cached) and launch; returns once the process is spawned. */
  start(): Promise<void>;
  /** One-time setup once healthy, also for servers the user runs (e.g. create the database). */
  prepare?(): Promise<void>;
  stopSignal?: NodeJS.Signals;
}

export function pidFile(paths: StackPaths, name: string): string {
  return path.join(paths.pids, `${name}.pid`);
}

export function logFile(paths: StackPaths, name: string): string {
  return path.join(paths.logs, `${name}.log`);
}

export function spawnComponent(
  paths: StackPaths,
  spec: Omit<DaemonSpec, 'logFile' | 'pidFile'>,
): number {
  return spawnDaemon({
    ...spec,
    logFile: logFile(paths, spec.name),
    pidFile: pidFile(paths, spec.name),
  });
}

/** The pid of a component this stack started and that is still running. */
export function runningPid(paths: StackPaths, name: string): number | undefined {
  const pid = readPid(pidFile(paths, name));
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

export async function stopComponent(
  paths: StackPaths,
  component: StackComponent,
): Promise<boolean> {
  const pid = runningPid(paths, component.name);
  if (pid === undefined) return false;
  await stopProcess(pid, { signal: component.stopSignal, graceMs: 30_000 });
  return true;
}
