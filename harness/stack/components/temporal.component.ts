import path from 'node:path';
import { Connection } from '@temporalio/client';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../../workflows/contracts/search-attributes.js';
import { isLocal, parseHostPort, type StackConfig, type StackPaths } from '../config.js';
import { canConnect, provision } from '../../support/process-control.js';
import { spawnComponent, type StackComponent } from './component.js';

const CLI_TYPE = { KEYWORD: 'Keyword' } as const;

export function createTemporalComponent(config: StackConfig, paths: StackPaths): StackComponent {
  const endpoint = parseHostPort(config.TEMPORAL_ADDRESS);
  return {
    name: 'temporal',
    url: `${config.TEMPORAL_ADDRESS} (Web UI http://${endpoint.host}:${config.TEMPORAL_UI_PORT})`,
    managed: isLocal(endpoint),
    async isHealthy() {
      if (!(await canConnect(endpoint.host, endpoint.port))) return false;
      const connection = await Connection.connect({
        address: config.TEMPORAL_ADDRESS,
        connectTimeout: 2_000,
      });
      try {
        const { status } = await connection.healthService.check({});
        return status === 1; // SERVING
      } finally {
        await connection.close();
      }
    },
    async start() {
      const cli = await provision('temporal-cli');
      const searchAttributes = CUSTOM_SEARCH_ATTRIBUTES.flatMap((key) => [
        '--search-attribute',
        `${key.name}=${CLI_TYPE[key.type as keyof typeof CLI_TYPE]}`,
      ]);
      spawnComponent(paths, {
        name: 'temporal',
        command: cli,
        args: [
          'server',
          'start-dev',
          '--ip',
          endpoint.host,
          '--port',
          String(endpoint.port),
          '--ui-port',
          String(config.TEMPORAL_UI_PORT),
          '--namespace',
          config.TEMPORAL_NAMESPACE,
          // A db file keeps workflow history across a restart of the dev server itself.
          '--db-filename',
          path.join(paths.data, 'temporal.db'),
          // WAL: ~2.5x the workflow throughput of SQLite's default rollback journal on this machine.
          // synchronous=normal may lose the last commits on power loss (never corrupts): fine for dev.
          '--sqlite-pragma',
          'journal_mode=wal',
          '--sqlite-pragma',
          'synchronous=normal',
          // The dev server's one history shard polls its transfer queue at 20/s by default: ~45 ms of
          // dispatch wait per step. Raised, a lone order takes ~114 ms instead of ~550 ms.
          '--dynamic-config-value',
          'history.transferProcessorMaxPollRPS=500',
          // Lets a worker take the next activity in the reply to the workflow task that scheduled it.
          '--dynamic-config-value',
          'system.enableActivityEagerExecution=true',
          // Long polls per namespace (workers' pollers plus callers waiting on an Update, such as
          // POST /bookings) are capped at 1200 by default: a booking storm reaches that.
          '--dynamic-config-value',
          'frontend.namespaceCount=5000',
          '--log-level',
          'warn',
          ...searchAttributes,
        ],
      });
    },
  };
}
