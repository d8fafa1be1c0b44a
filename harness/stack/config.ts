import path from 'node:path';
import { z } from 'zod';
import {
  DEFAULTS,
  databaseSettings,
  kafkaSettings,
  paymentGatewaySettings,
  port,
  redisSettings,
  temporalSettings,
} from '../../platform/config/settings.js';

export const stackConfigSchema = z.object({
  ...databaseSettings,
  ...temporalSettings,
  ...kafkaSettings,
  ...redisSettings,
  ...paymentGatewaySettings,
  TEMPORAL_UI_PORT: port.default(DEFAULTS.TEMPORAL_UI_PORT),
  KAFKA_CONTROLLER_PORT: port.default(9093),
  STACK_DIR: z.string().min(1).default('.stack'),
  STACK_START_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;

export interface Endpoint {
  host: string;
  port: number;
}

export function parseHostPort(value: string): Endpoint {
  const separator = value.lastIndexOf(':');
  return { host: value.slice(0, separator), port: Number(value.slice(separator + 1)) };
}

export function urlEndpoint(url: string, defaultPort: number): Endpoint {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: parsed.port ? Number(parsed.port) : defaultPort };
}

/** Only servers on this machine are ours to start; anything else is the user's to run. */
export function isLocal({ host }: Endpoint): boolean {
  return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
}

export interface StackPaths {
  root: string;
  data: string;
  logs: string;
  pids: string;
}

export function stackPaths(
  config: Pick<StackConfig, 'STACK_DIR'>,
  cwd = process.cwd(),
): StackPaths {
  const root = path.resolve(cwd, config.STACK_DIR);
  return {
    root,
    data: path.join(root, 'data'),
    logs: path.join(root, 'logs'),
    pids: path.join(root, 'pids'),
  };
}
