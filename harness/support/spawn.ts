import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '../..');

export interface SpawnSpec {
  /** For error messages. */
  name: string;
  command: string;
  args: string[];
  /** The whole environment of the process (default: ours). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Its output: appended to a log file, shared with ours, dropped, or shared with ours but for its
   * stderr, which comes through a pipe (`process.stderr`) for the caller to read and pass on.
   */
  output: { logFile: string } | 'inherit' | 'ignore' | 'inherit-stdout';
  /**
   * Its own process group (and session): it can be signalled with whatever it started, and a
   * terminal's Ctrl-C reaches only us.
   */
  detached?: boolean;
  uid?: number;
  gid?: number;
}

export interface SpawnedProcess {
  pid: number;
  process: ChildProcess;
  /** Resolves with the exit code (`exit 0`) or the signal once the process has ended. */
  exited: Promise<string>;
}

/** The one place the harness starts a process: the node children, the stack's servers, `npm start`. */
export function spawnProcess(spec: SpawnSpec): SpawnedProcess {
  const { stdio, log } = stdioFor(spec.output);
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio,
    detached: spec.detached ?? false,
    uid: spec.uid,
    gid: spec.gid,
  });
  if (log !== undefined) fs.closeSync(log);
  if (child.pid === undefined) throw new Error(`${spec.name}: failed to spawn ${spec.command}`);
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)),
  );
  return { pid: child.pid, process: child, exited };
}

/** `node --import tsx <entry>`: a TypeScript entry of this project, as the arguments of `node`. */
export const tsxEntryArgs = (entry: string, nodeArgs: string[] = []) => [
  ...nodeArgs,
  '--import',
  'tsx',
  path.resolve(PROJECT_ROOT, entry),
];

function stdioFor(output: SpawnSpec['output']): { stdio: StdioOptions; log?: number } {
  if (output === 'inherit-stdout') return { stdio: ['inherit', 'inherit', 'pipe'] };
  if (typeof output !== 'object') return { stdio: output };
  fs.mkdirSync(path.dirname(output.logFile), { recursive: true });
  const log = fs.openSync(output.logFile, 'a');
  return { stdio: ['ignore', log, log], log };
}
