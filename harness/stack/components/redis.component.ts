import net from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import { isLocal, urlEndpoint, type StackConfig, type StackPaths } from '../config.js';
import { provision } from '../../support/process-control.js';
import { spawnComponent, type StackComponent } from './component.js';

/** True when a Redis server answers PING there. */
export function redisAnswersPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (reply) => done(reply.toString().startsWith('+PONG')));
  });
}

export function createRedisComponent(config: StackConfig, paths: StackPaths): StackComponent {
  const endpoint = urlEndpoint(config.REDIS_URL, 6379);
  const dataDir = path.join(paths.data, 'redis');
  return {
    name: 'redis',
    url: config.REDIS_URL,
    managed: isLocal(endpoint),
    isHealthy: () => redisAnswersPing(endpoint.host, endpoint.port),
    async start() {
      const server = await provision('redis');
      fs.mkdirSync(dataDir, { recursive: true });
      spawnComponent(paths, {
        name: 'redis',
        command: server,
        args: [
          '--bind',
          endpoint.host,
          '--port',
          String(endpoint.port),
          '--dir',
          dataDir,
          '--save',
          '',
          '--appendonly',
          'no',
          '--daemonize',
          'no',
        ],
      });
    },
  };
}
