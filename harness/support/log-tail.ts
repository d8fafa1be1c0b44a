import fs from 'node:fs';

/** The last `lines` lines of a log file, for an error message or a look at a process's output. */
export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}
