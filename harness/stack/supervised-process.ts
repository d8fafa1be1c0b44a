import type { Readable, Writable } from 'node:stream';
import { PROJECT_ROOT, spawnProcess, tsxEntryArgs } from '../support/spawn.js';
import type { RunningProcess } from './supervisor.js';

const KEPT_LINES = 20;

/** Passes `from` on to `to` and keeps its last `max` lines. */
function keepLastLines(from: Readable, to: Writable, max: number): () => string[] {
  const lines: string[] = [];
  let partial = '';
  from.on('data', (chunk: Buffer) => {
    to.write(chunk);
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    lines.splice(0, Math.max(0, lines.length - max));
  });
  return () => [...lines, ...(partial ? [partial] : [])].slice(-max);
}

/**
 * `node --import tsx <entry>` with `env` on top of ours, in our process group (a terminal's Ctrl-C
 * reaches it too, as before). Its stdout is our terminal; its stderr passes through us so that its
 * last lines can go in a crash-loop report.
 */
export function startEntryPoint(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv = {},
): RunningProcess {
  const { pid, process: child } = spawnProcess({
    name,
    command: process.execPath,
    args: tsxEntryArgs(entry),
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    output: 'inherit-stdout',
  });
  const lastLines = keepLastLines(child.stderr!, process.stderr, KEPT_LINES);
  // 'close', not 'exit': by then its last error lines have come through.
  const exited = new Promise<string>((resolve) =>
    child.once('close', (code, signal) => resolve(signal ?? `exit ${code}`)),
  );
  return {
    pid,
    exited,
    signal(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    lastLines,
  };
}
