import { pino, type DestinationStream, type Logger } from 'pino';
import { prettyDestination } from './pretty-log.js';
import type { LogFormat } from './settings.js';

/** A process's log settings (`logSettings` in settings.ts), as its config holds them. */
export interface LogConfig {
  LOG_LEVEL: string;
  LOG_FORMAT?: LogFormat | undefined;
  NO_COLOR?: string | undefined;
  FORCE_COLOR?: string | undefined;
}

export interface LoggerOptions {
  /** Fields added to every line, e.g. the workflow id of the activity the line was written in. */
  mixin?: () => object;
}

/** One logger per process; children add the saga's correlation id where they concern one. */
export function createLogger(
  name: string,
  config: LogConfig,
  { mixin }: LoggerOptions = {},
): Logger {
  return pino(
    { name, level: config.LOG_LEVEL, base: { service: name }, ...(mixin && { mixin }) },
    logDestination(config),
  );
}

/**
 * Where a pino logger writes, as the config says: `undefined` for JSON (pino's own stdout
 * destination, so the lines are exactly what they always were), else pretty lines on stdout.
 */
export function logDestination(config: LogConfig): DestinationStream | undefined {
  const stdoutIsTty = process.stdout.isTTY === true;
  if (chooseLogFormat(config.LOG_FORMAT, stdoutIsTty) === 'json') return undefined;
  return prettyDestination(pino.destination(1), { colours: wantsColour(config, stdoutIsTty) });
}

/** LOG_FORMAT when set; else pretty for a person at a terminal, JSON for files and collectors. */
export function chooseLogFormat(
  configured: LogFormat | undefined,
  stdoutIsTty: boolean,
): LogFormat {
  return configured ?? (stdoutIsTty ? 'pretty' : 'json');
}

/** Node's rules: FORCE_COLOR decides when set (`0`/`false`: never), then NO_COLOR, then the TTY. */
export function wantsColour(
  { NO_COLOR, FORCE_COLOR }: Pick<LogConfig, 'NO_COLOR' | 'FORCE_COLOR'>,
  stdoutIsTty: boolean,
): boolean {
  if (FORCE_COLOR !== undefined) return FORCE_COLOR !== '0' && FORCE_COLOR !== 'false';
  if (NO_COLOR !== undefined && NO_COLOR !== '') return false;
  return stdoutIsTty;
}
