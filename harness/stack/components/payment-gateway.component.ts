import path from 'node:path';
import { isLocal, urlEndpoint, type StackConfig, type StackPaths } from '../config.js';
import { spawnComponent, type StackComponent } from './component.js';

const SERVER_ENTRY = path.resolve(import.meta.dirname, '../../../payment-gateway/server.ts');
const PROJECT_ROOT = path.resolve(import.meta.dirname, '../../..');

async function answersHealth(url: string): Promise<boolean> {
  const response = await fetch(`${url.replace(/\/+$/, '')}/health`, {
    signal: AbortSignal.timeout(2_000),
  });
  await response.body?.cancel();
  return response.status === 200;
}

/** Our simulated PSP: a Node process of this project, on the Postgres of the first tier. */
export function createPaymentGatewayComponent(
  config: StackConfig,
  paths: StackPaths,
): StackComponent {
  const url = config.PAYMENT_GATEWAY_URL;
  const endpoint = urlEndpoint(url, new URL(url).protocol === 'https:' ? 443 : 80);
  return {
    name: 'payment-gateway',
    url,
    managed: isLocal(endpoint),
    isHealthy: () => answersHealth(url),
    async start() {
      spawnComponent(paths, {
        name: 'payment-gateway',
        command: process.execPath,
        args: ['--import', 'tsx', SERVER_ENTRY],
        // tsx and the tsconfig are found from the project root, wherever the stack CLI was started.
        cwd: PROJECT_ROOT,
        env: {
          ...process.env,
          PAYMENT_GATEWAY_HOST: endpoint.host.replace(/^\[(.*)\]$/, '$1'),
          PAYMENT_GATEWAY_PORT: String(endpoint.port),
          PAYMENT_GATEWAY_DATABASE_URL: config.DATABASE_URL,
        },
      });
    },
  };
}
