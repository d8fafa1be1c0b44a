import fs from 'node:fs';
import type { StackConfig, StackPaths } from './config.js';
import { stackPaths } from './config.js';
import { logFile, runningPid, stopComponent, type StackComponent } from './components/component.js';
import { createKafkaComponent } from './components/kafka.component.js';
import { createPostgresComponent } from './components/postgres.component.js';
import { createRedisComponent } from './components/redis.component.js';
import { createTemporalComponent } from './components/temporal.component.js';
import { waitUntil } from '../support/process-control.js';

export interface Stack {
  paths: StackPaths;
  /** Components started in order, each tier in parallel (a later tier may need an earlier one). */
  tiers: StackComponent[][];
}

export function createStack(config: StackConfig, extraTiers: StackComponent[][] = []): Stack {
  const paths = stackPaths(config);
  return {
    paths,
    tiers: [
      [
        createPostgresComponent(config, paths),
        createRedisComponent(config, paths),
        createKafkaComponent(config, paths),
        createTemporalComponent(config, paths),
      ],
      ...extraTiers,
    ],
  };
}

export type Report = (line: string) => void;

/** Returns true when this call started the component (it was not answering before). */
async function bringUp(
  stack: Stack,
  component: StackComponent,
  timeoutMs: number,
  report: Report,
): Promise<boolean> {
  const started = Date.now();
  const wasRunning = await component.isHealthy().catch(() => false);
  if (wasRunning) {
    report(`${component.name}: already running at ${component.url}`);
  } else if (!component.managed) {
    throw new Error(
      `${component.name} at ${component.url} is not reachable (not on this machine, so not started here)`,
    );
  } else {
    report(`${component.name}: starting`);
    await component.start();
    await waitUntil(component.name, component.isHealthy, {
      timeoutMs: component.startTimeoutMs ?? timeoutMs,
      logFile: logFile(stack.paths, component.name),
    });
    report(
      `${component.name}: ready at ${component.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  await component.prepare?.();
  return !wasRunning;
}

/** Starts whatever is not already answering; returns the names this call started. */
export async function stackUp(
  stack: Stack,
  timeoutMs: number,
  report: Report = console.log,
): Promise<string[]> {
  for (const dir of [stack.paths.data, stack.paths.logs, stack.paths.pids])
    fs.mkdirSync(dir, { recursive: true });
  const startedNow: string[] = [];
  for (const tier of stack.tiers) {
    const results = await Promise.allSettled(
      tier.map(async (component) => {
        if (await bringUp(stack, component, timeoutMs, report)) startedNow.push(component.name);
      }),
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) {
      await stackDown(stack, startedNow, () => {});
      throw new Error(
        failures
          .map((f) => String(f.reason instanceof Error ? f.reason.message : f.reason))
          .join('\n'),
      );
    }
  }
  return startedNow;
}

/** Stops components this stack started (all of them, or only `names`), later tiers first. */
export async function stackDown(
  stack: Stack,
  names?: string[],
  report: Report = console.log,
): Promise<void> {
  for (const tier of [...stack.tiers].reverse()) {
    await Promise.all(
      tier
        .filter((component) => !names || names.includes(component.name))
        .map(async (component) => {
          if (await stopComponent(stack.paths, component)) report(`${component.name}: stopped`);
        }),
    );
  }
}

export interface ComponentStatus {
  name: string;
  url: string;
  healthy: boolean;
  owner: 'this stack' | 'external' | 'none';
}

export async function stackStatus(stack: Stack): Promise<ComponentStatus[]> {
  return Promise.all(
    stack.tiers.flat().map(async (component) => {
      const healthy = await component.isHealthy().catch(() => false);
      const pid = runningPid(stack.paths, component.name);
      const owner = pid !== undefined ? 'this stack' : healthy ? 'external' : 'none';
      return { name: component.name, url: component.url, healthy, owner } as const;
    }),
  );
}
