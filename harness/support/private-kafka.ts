import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { logFile, runningPid, stopComponent } from '../stack/components/component.js';
import { createKafkaComponent } from '../stack/components/kafka.component.js';
import { stackPaths } from '../stack/config.js';
import { freePort, waitUntil } from './process-control.js';

export interface KafkaBroker {
  brokers: string[];
  /** Kills the broker (SIGTERM, SIGKILL after a grace period) and keeps its data, to simulate an outage. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves once it answers. */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
  /** Its process id while it runs: for CPU accounting, and a last-resort SIGKILL from an exit hook. */
  pid(): number | undefined;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/**
 * A private single-node KRaft broker for one test file or bench run, so it can be stopped without
 * hurting others.
 */
export async function startKafkaBroker(): Promise<KafkaBroker> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kafka-broker-'));
  const paths = stackPaths({ STACK_DIR: root });
  const [brokerPort, controllerPort] = (await distinctFreePorts(2)) as [number, number];
  const brokers = [`127.0.0.1:${brokerPort}`];
  const component = createKafkaComponent(
    { KAFKA_BROKERS: brokers, KAFKA_CONTROLLER_PORT: controllerPort },
    paths,
  );

  const start = async () => {
    if (runningPid(paths, component.name) === undefined) await component.start();
    await waitUntil(component.name, component.isHealthy, {
      timeoutMs: component.startTimeoutMs ?? 60_000,
      logFile: logFile(paths, component.name),
    });
  };
  const stop = async () => {
    await stopComponent(paths, component);
  };
  const destroy = async () => {
    await stop();
    fs.rmSync(root, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await destroy();
    throw error;
  }
  return { brokers, stop, start, destroy, pid: () => runningPid(paths, component.name) };
}
