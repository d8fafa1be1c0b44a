import type http from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { spawnChild, waitForChild, type Child } from '../../support/children.js';
import { freePort } from '../../support/process-control.js';
import type { KnownPids } from './cpu.js';
import { httpRequest, type HttpTarget } from './http-client.js';
import { waitUntilPolling } from '../../support/task-queue.js';

/** Where a bench's children log (`<logDir>/<name>.log`), and the CPU table's names for their pids. */
export interface ChildRegistry {
  logDir: string;
  known: KnownPids;
}

/** Spawns a TypeScript entry of this project; its CPU shows up under `group`. */
export function spawnBenchChild(
  registry: ChildRegistry,
  {
    name,
    group,
    entry,
    env = {},
  }: { name: string; group: string; entry: string; env?: NodeJS.ProcessEnv },
): Child {
  const child = spawnChild(name, entry, env, path.join(registry.logDir, `${name}.log`));
  registry.known.set(child.pid, group);
  return child;
}

export interface WorkerSpec {
  count: number;
  name: (i: number) => string;
  group: string;
  entry: string;
  env?: NodeJS.ProcessEnv;
}

/** `count` worker processes, ready once the server sees each of them polling `taskQueue`. */
export async function spawnPollingWorkers(
  registry: ChildRegistry,
  spec: WorkerSpec,
  queue: { client: Client; namespace: string; taskQueue: string; timeoutMs: number },
): Promise<Child[]> {
  const children = Array.from({ length: spec.count }, (_, i) =>
    spawnBenchChild(registry, { ...spec, name: spec.name(i) }),
  );
  await Promise.all(
    children.map((child) =>
      waitUntilPolling(child, queue.client, queue.namespace, queue.taskQueue, queue.timeoutMs),
    ),
  );
  return children;
}

/** An API process on a free port of 127.0.0.1, ready once `GET <readyRoute>` answers 200. */
export async function spawnApi(
  registry: ChildRegistry,
  spec: { name: string; group: string; entry: string; env?: NodeJS.ProcessEnv },
  { agent, readyRoute, timeoutMs }: { agent: http.Agent; readyRoute: string; timeoutMs: number },
): Promise<{ child: Child; target: HttpTarget }> {
  const port = await freePort();
  const child = spawnBenchChild(registry, {
    ...spec,
    env: { ...spec.env, API_HOST: '127.0.0.1', API_PORT: String(port) },
  });
  const target = { host: '127.0.0.1', port };
  await waitForChild(
    child,
    'answering',
    async () =>
      (await httpRequest(agent, target, 'GET', readyRoute, { timeoutMs: 5_000 })).status === 200,
    timeoutMs,
  );
  return { child, target };
}
