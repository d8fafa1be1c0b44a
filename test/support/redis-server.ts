import type { ChildProcess } from 'node:child_process';
import { redisAnswersPing } from '../../harness/stack/components/redis.component.js';
import { freePort, provision, waitUntil } from '../../harness/support/process-control.js';
import { spawnProcess } from '../../harness/support/spawn.js';

/**
 * A throwaway redis-server of the test's own, on a free port, that the test can stop and start
 * again (the shared stack's Redis is left alone).
 */
export async function startRedisServer() {
  const binary = await provision('redis');
  const port = await freePort();
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawnProcess({
      name: 'test redis',
      command: binary,
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      output: 'ignore',
    }).process;
    await waitUntil(`test redis on ${port}`, () => redisAnswersPing('127.0.0.1', port), {
      timeoutMs: 10_000,
    });
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}
