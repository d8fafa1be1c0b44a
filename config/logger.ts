import { pino, type Logger } from 'pino';

/** JSON logs, one logger per process; children add the saga's correlation id where they concern one. */
export function createLogger(name: string, level: string): Logger {
  return pino({ name, level, base: { service: name } });
}
