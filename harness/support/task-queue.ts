import os from 'node:os';
import type { Client } from '@temporalio/client';
import { waitForChild, type Child } from './children.js';
import { isAlive } from './process-control.js';

const WORKFLOW_TASK_QUEUE_TYPE = 1; // temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
const ACTIVITY_TASK_QUEUE_TYPE = 2; // temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY

export interface Poller {
  /** The SDK's default identity is `<pid>@<hostname>`. */
  identity: string;
  lastAccessMs: number;
}

/** Who polls a task queue for workflow tasks right now (as the server last saw them). */
export async function workflowPollers(
  client: Client,
  namespace: string,
  taskQueue: string,
): Promise<Poller[]> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: WORKFLOW_TASK_QUEUE_TYPE,
  });
  return (pollers ?? []).map((p) => ({
    identity: p.identity ?? '',
    lastAccessMs: Number(p.lastAccessTime?.seconds ?? 0) * 1000,
  }));
}

const TASK_QUEUE_KIND_NORMAL = 1; // temporal.api.enums.v1.TaskQueueKind
const DESCRIBE_TASK_QUEUE_MODE_ENHANCED = 1; // temporal.api.enums.v1.DescribeTaskQueueMode

/**
 * Identities polling `taskQueue` for workflow tasks on any of its partitions. `workflowPollers` asks
 * the root partition only, which sees a new worker only once one of its long polls lands there (or
 * is forwarded there): that can take a minute. The enhanced describe asks every partition.
 */
export async function workflowPollerIdentities(
  client: Client,
  namespace: string,
  taskQueue: string,
): Promise<string[]> {
  const { versionsInfo } = await client.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
    apiMode: DESCRIBE_TASK_QUEUE_MODE_ENHANCED,
    taskQueueTypes: [WORKFLOW_TASK_QUEUE_TYPE],
    reportPollers: true,
  });
  return Object.values(versionsInfo ?? {})
    .flatMap((version) => Object.values(version.typesInfo ?? {}))
    .flatMap((type) => type.pollers ?? [])
    .map((poller) => poller.identity ?? '');
}

/** A worker process we spawned is ready once the server sees it polling `taskQueue`. */
export async function waitUntilPolling(
  child: Child,
  client: Client,
  namespace: string,
  taskQueue: string,
  timeoutMs: number,
): Promise<void> {
  const identity = `${child.pid}@${os.hostname()}`;
  await waitForChild(
    child,
    `polling ${taskQueue}`,
    async () =>
      (await workflowPollers(client, namespace, taskQueue)).some((p) => p.identity === identity),
    timeoutMs,
  );
}

/**
 * Live pollers of `taskQueue` that are not ours: they take part of the load. On this host a poller
 * is live while its pid is; elsewhere, while the server saw it within the last 90 s.
 */
export async function foreignPollers(
  client: Client,
  namespace: string,
  taskQueue: string,
  ours: Set<number>,
): Promise<string[]> {
  return (await workflowPollers(client, namespace, taskQueue))
    .filter(({ identity, lastAccessMs }) => {
      const [pid, host] = identity.split('@');
      return host === os.hostname()
        ? isAlive(Number(pid)) && !ours.has(Number(pid))
        : Date.now() - lastAccessMs < 90_000;
    })
    .map((p) => p.identity);
}

/**
 * Tasks waiting on `taskQueue` (workflow and activity tasks, as the server estimates them): work that
 * runs before anything new, e.g. sagas an interrupted run left behind.
 */
export async function backlog(
  client: Client,
  namespace: string,
  taskQueue: string,
): Promise<number> {
  let total = 0;
  for (const taskQueueType of [WORKFLOW_TASK_QUEUE_TYPE, ACTIVITY_TASK_QUEUE_TYPE]) {
    const { stats } = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue },
      taskQueueType,
      reportStats: true,
    });
    total += Number(stats?.approximateBacklogCount?.toString() ?? 0);
  }
  return total;
}
