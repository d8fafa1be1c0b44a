import net from 'node:net';

/**
 * A TCP forwarder to `target` that a test can switch off (open connections cut, new ones closed at
 * once, as when a server dies) and on again, to take a dependency down for one client only.
 */
export async function startTcpSwitch(target: { host: string; port: number }) {
  let on = true;
  let refused = 0;
  const open = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (!on) {
      refused += 1;
      client.destroy();
      return;
    }
    const upstream = net.connect(target);
    track(upstream);
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    /** Connections turned away while off. */
    get refused() {
      return refused;
    },
    off() {
      on = false;
      for (const socket of open) socket.destroy();
    },
    on() {
      on = true;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
