import net from 'node:net';

/** Listens on `host:port` and closes again: the port it got, or the error that stopped it. */
function tryListen(host: string, port: number): Promise<number | NodeJS.ErrnoException> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * The port a worker's metrics endpoint should use: `port` when it is free (0 stays 0: off), else a
 * free one the system picks. Another worker on this machine (`npm run worker` beside `npm start`)
 * holding the default port must not stop this one from starting; the worker logs the port it got.
 * Other errors (a bad host) are left to the metrics exporter to report.
 */
export async function availableMetricsPort(host: string, port: number): Promise<number> {
  if (port === 0) return 0;
  const preferred = await tryListen(host, port);
  if (typeof preferred === 'number' || preferred.code !== 'EADDRINUSE') return port;
  const fallback = await tryListen(host, 0);
  return typeof fallback === 'number' ? fallback : port;
}
