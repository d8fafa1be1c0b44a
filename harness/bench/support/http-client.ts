import http from 'node:http';

/** One HTTP answer, whatever its status. */
export interface HttpReply {
  status: number;
  body: string;
}

export interface HttpTarget {
  host: string;
  port: number;
}

/** The request got no complete answer within its time limit. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'TIMEOUT';
}

/** The connections an agent from `stormAgent` opened, counted by `httpRequest`. */
export interface ConnectionStats {
  opened: number;
  open: number;
  peakOpen: number;
  /** From the request to the TCP connection being established, for each new connection (ms). */
  connectMs: number[];
}

const statsOf = new WeakMap<http.Agent, ConnectionStats>();
const counted = new WeakSet<object>();

/**
 * A keep-alive agent that never makes a request wait for a socket: up to `sockets` connections at
 * once (one per concurrent request), and as many kept open for reuse.
 */
export function stormAgent(sockets: number): http.Agent {
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: sockets,
    maxFreeSockets: sockets,
    // Reuse the most recently used socket: the one least likely to be closed by the server's
    // keep-alive timeout just as a request goes out on it (an ECONNRESET that is the client's doing).
    scheduling: 'lifo',
  });
  statsOf.set(agent, { opened: 0, open: 0, peakOpen: 0, connectMs: [] });
  return agent;
}

export function connectionStats(agent: http.Agent): ConnectionStats | undefined {
  return statsOf.get(agent);
}

/**
 * One request; resolves with any HTTP status (a 5xx is an answer), rejects only when there was no
 * answer: a socket error (ECONNRESET, ECONNREFUSED, ...) or `RequestTimeoutError`.
 */
export function httpRequest(
  agent: http.Agent,
  target: HttpTarget,
  method: string,
  route: string,
  options: { headers?: Record<string, string>; body?: string; timeoutMs: number },
): Promise<HttpReply> {
  return new Promise<HttpReply>((resolve, reject) => {
    const startedAt = performance.now();
    const headers = { ...options.headers };
    if (options.body !== undefined)
      headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = http.request(
      { host: target.host, port: target.port, method, path: route, agent, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: text });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    // A deadline for the whole exchange (a socket timeout would only bound the gaps between bytes).
    const timer = setTimeout(
      () => req.destroy(new RequestTimeoutError(`no answer within ${options.timeoutMs / 1000} s`)),
      options.timeoutMs,
    );
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('socket', (socket) => {
      const stats = statsOf.get(agent);
      if (!stats || counted.has(socket)) return;
      counted.add(socket);
      stats.opened++;
      stats.peakOpen = Math.max(stats.peakOpen, ++stats.open);
      socket.once('close', () => stats.open--);
      if (socket.connecting)
        socket.once('connect', () => stats.connectMs.push(performance.now() - startedAt));
    });
    req.end(options.body);
  });
}

/** A short, stable name for why a request got no answer: `ECONNRESET`, `TIMEOUT`, `socket hang up`, ... */
export function transportErrorKind(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  if (error instanceof Error) return error.message.slice(0, 60) || error.name;
  return String(error).slice(0, 60);
}

/** Parses a JSON body; undefined when it is not JSON (an error page, a cut-off answer). */
export function jsonBody<T>(reply: HttpReply): T | undefined {
  try {
    return JSON.parse(reply.body) as T;
  } catch {
    return undefined;
  }
}
