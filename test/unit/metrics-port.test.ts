import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { availableMetricsPort } from '../../workers/temporal/metrics-port.js';

const servers: net.Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A port held by a listener of this test, as another worker holds its metrics port. */
async function heldPort(): Promise<number> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('a saga worker’s metrics port', () => {
  it('is the configured one when it is free, and stays 0 (off) at 0', async () => {
    const port = await heldPort();
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await availableMetricsPort('127.0.0.1', port)).toBe(port);
    expect(await availableMetricsPort('127.0.0.1', 0)).toBe(0);
  });

  it('is a free one when another process holds the configured one (npm run worker beside npm start)', async () => {
    const taken = await heldPort();
    const port = await availableMetricsPort('127.0.0.1', taken);
    expect(port).not.toBe(taken);
    expect(port).toBeGreaterThan(0);
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });
});
