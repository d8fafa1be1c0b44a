import { pino, type Logger } from 'pino';

export interface LoggerOptions {
  /** Fields added to every line, e.g. the workflow id of the activity the line was written in. */
  mixin?: () => object;
}

/** JSON logs, one logger per process; children add the saga's correlation id where they concern one. */
export function createLogger(name: string, level: string, { mixin }: LoggerOptions = {}): Logger {
  return pino({ name, level, base: { service: name }, ...(mixin && { mixin }) });
}
