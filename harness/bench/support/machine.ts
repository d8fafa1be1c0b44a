import os from 'node:os';
import { machineBusy } from './cpu.js';

/** The report header's line about this machine. */
export function machineLine(): string {
  const cpus = os.cpus();
  return `machine: ${os.availableParallelism()} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${os.loadavg()[0]!.toFixed(2)}`;
}

/** Warns when the machine is busy already: someone else's load skews what the bench measures. */
export async function warnIfMachineBusy(before: string, consequence: string): Promise<void> {
  const idle = await machineBusy(1_000);
  if (idle > 30)
    console.warn(
      `warning: the machine is already ${idle.toFixed(0)}% busy (of ${os.availableParallelism() * 100}%) before ${before}: ${consequence}`,
    );
}

const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '::1', '[::1]'];

/** The hosts of the servers a bench talks to, by setting. */
export const stackHosts = (config: {
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  PAYMENT_GATEWAY_URL: string;
}) => ({
  DATABASE_URL: new URL(config.DATABASE_URL).hostname,
  TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS.slice(0, config.TEMPORAL_ADDRESS.lastIndexOf(':')),
  PAYMENT_GATEWAY_URL: new URL(config.PAYMENT_GATEWAY_URL).hostname,
});

/** All traffic stays on this machine: the numbers describe it. Fails on the first remote host. */
export function requireLocal(
  hosts: Record<string, string>,
  fail: (message: string) => never,
  where = 'this machine',
): void {
  for (const [name, host] of Object.entries(hosts)) {
    if (!LOCAL_HOSTS.includes(host))
      fail(`${name} points at ${host}: the benchmark only runs against ${where}`);
  }
}
