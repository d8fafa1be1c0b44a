import { z } from 'zod';
import { loadConfigOrExit } from '../platform/config/load-config.js';
import { DEFAULTS, databaseSettings, logSettings, port } from '../platform/config/settings.js';
import { MAX_LATENCY_MS, type FaultSettings } from './faults.js';

const rate = z.coerce.number().min(0).max(1).default(0);

export const gatewayConfigSchema = z.object({
  PAYMENT_GATEWAY_PORT: port.default(DEFAULTS.PAYMENT_GATEWAY_PORT),
  PAYMENT_GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
  // Same Postgres as the app by default; the gateway's tables live in their own schema.
  PAYMENT_GATEWAY_DATABASE_URL: databaseSettings.DATABASE_URL,
  PAYMENT_GATEWAY_ERROR_RATE: rate,
  PAYMENT_GATEWAY_LATENCY_MS: z.coerce.number().int().min(0).max(MAX_LATENCY_MS).default(0),
  PAYMENT_GATEWAY_DECLINED_CARD: z.string().min(1).default('tok_declined'),
  PAYMENT_GATEWAY_DROP_RESPONSE_RATE: rate,
  ...logSettings,
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export function loadGatewayConfigOrExit(): GatewayConfig {
  return loadConfigOrExit(gatewayConfigSchema);
}

export function faultDefaults(config: GatewayConfig): FaultSettings {
  return {
    errorRate: config.PAYMENT_GATEWAY_ERROR_RATE,
    latencyMs: config.PAYMENT_GATEWAY_LATENCY_MS,
    declinedCard: config.PAYMENT_GATEWAY_DECLINED_CARD,
    dropResponseRate: config.PAYMENT_GATEWAY_DROP_RESPONSE_RATE,
  };
}
