import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { loadConfig } from '../../../platform/config/load-config.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A bench's command line: `--help` prints the usage and exits 0; any mistake (unknown flag, bad
 * value) prints it above the usage and exits 2.
 */
export function benchArgs<T extends Options>(usage: string, options: T) {
  const fail = (message: string): never => {
    console.error(`${message}\n\n${usage}`);
    process.exit(2);
  };
  let values: ReturnType<typeof parseArgs<{ options: T }>>['values'];
  try {
    values = parseArgs({ options }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
  if ((values as Record<string, unknown>).help) {
    console.log(usage);
    process.exit(0);
  }
  return {
    values,
    fail,
    /** Milliseconds from `90`, `90s`, `1500ms` or `10m` (a bare number is seconds). */
    durationMs(flag: string, value: string): number {
      const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
      if (!match)
        return fail(`--${flag}: expected a duration (e.g. 90, 90s, 1500ms, 10m), got "${value}"`);
      const n = Number(match[1]);
      return match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1_000;
    },
    integer(flag: string, value: string, min: number, max: number): number {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max)
        fail(`--${flag}: expected an integer from ${min} to ${max}, got "${value}"`);
      return n;
    },
  };
}

/** The environment's settings; a bad one is a bad option: its message, then exit 2. */
export function benchConfig<S extends z.ZodType>(schema: S): z.infer<S> {
  try {
    return loadConfig(schema);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}
