/**
 * A progress line on stderr: rewritten in place on a terminal (cut to its width with `fitWidth`),
 * one line per update when stderr is a file or a pipe.
 */
export function writeProgress(line: string, final: boolean, { fitWidth = false } = {}): void {
  if (process.stderr.isTTY) {
    const shown = fitWidth ? line.slice(0, (process.stderr.columns || 160) - 1) : line;
    process.stderr.write(`\r\x1b[2K${shown}${final ? '\n' : ''}`);
  } else {
    process.stderr.write(`${line}\n`);
  }
}
