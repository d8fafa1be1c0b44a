import fs from 'node:fs';

/** The last `lines` lines of a log file, for an error message or a look at a process's output. */
export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

/** The lines of a process's log that contain `marker` (e.g. a pino `"msg":"…"`), oldest first. */
export function logLinesWith(file: string, marker: string): string[] {
  try {
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes(marker));
  } catch {
    return [];
  }
}
