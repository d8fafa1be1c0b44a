import type { LedgerSource } from '../../../activities/payments/payment.ledger.js';
import { createFaults } from '../../../payment-gateway/faults.js';
import { startInProcessGateway, type GatewayFetch } from '../../support/in-process-gateway.js';

/** A charge or refund as it reached the gateway. */
export interface GatewayRequest {
  kind: 'charge' | 'refund';
  /** Its Idempotency-Key: `<workflow id>:charge` or `<workflow id>:refund`. */
  key: string;
}

/** Requests held at the gateway's door: in flight for the caller, not yet processed. */
export interface HeldRequests {
  /** Those that arrived so far, in order. */
  readonly arrived: readonly GatewayRequest[];
  /** Resolves once `count` have arrived. */
  arrival(count?: number): Promise<GatewayRequest[]>;
  /** Lets every held request (and any later match) through; idempotent. */
  release(): void;
}

export interface ProbedGateway {
  url: string;
  ledger: LedgerSource;
  /**
   * Holds every charge or refund that `match` picks until `release()`: the caller's step stays in
   * flight (and heartbeats) for as long as the scenario needs, e.g. to kill its worker meanwhile.
   */
  hold(match: (request: GatewayRequest) => boolean): HeldRequests;
  /** How many requests with this idempotency key arrived (retries and repeats included). */
  requests(key: string): number;
  close(): Promise<void>;
}

const ROUTES: Record<string, GatewayRequest['kind']> = {
  '/charges': 'charge',
  '/refunds': 'refund',
};

/** A hold as the gateway applies it: which requests it catches, and how it keeps them. */
interface Hold {
  match: (request: GatewayRequest) => boolean;
  arrive: (request: GatewayRequest) => Promise<void>;
  release: () => void;
}

/** Holds the requests `match` picks, from now until released. */
function addHold(holds: Set<Hold>, match: Hold['match']): HeldRequests {
  const arrived: GatewayRequest[] = [];
  const waiters: { count: number; resolve: (requests: GatewayRequest[]) => void }[] = [];
  let letThrough!: () => void;
  const released = new Promise<void>((resolve) => (letThrough = resolve));
  const release = () => {
    holds.delete(hold);
    letThrough();
  };
  const hold: Hold = {
    match,
    release,
    async arrive(request: GatewayRequest) {
      arrived.push(request);
      for (const waiter of waiters.filter((w) => arrived.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve([...arrived]);
      }
      await released;
    },
  };
  holds.add(hold);
  return {
    arrived,
    arrival: (count = 1) =>
      arrived.length >= count
        ? Promise.resolve([...arrived])
        : new Promise((resolve) => waiters.push({ count, resolve })),
    release,
  };
}

/**
 * The payment gateway service (payment-gateway/), run in this process on its own port and its own
 * tables (the `payment_gateway` schema of `databaseUrl`), with a latency on every charge and
 * refund, a count of the requests per key, and holds: what the scenario needs to catch a payment
 * or a refund in flight. The shared gateway and its fault settings stay untouched.
 */
export async function startProbedGateway({
  databaseUrl,
  latencyMs,
}: {
  databaseUrl: string;
  latencyMs: number;
}): Promise<ProbedGateway> {
  const counts = new Map<string, number>();
  const holds = new Set<Hold>();
  const probe =
    (fetch: GatewayFetch): GatewayFetch =>
    async (request, env) => {
      const kind = request.method === 'POST' ? ROUTES[new URL(request.url).pathname] : undefined;
      const key = request.headers.get('idempotency-key');
      if (kind && key) {
        const arrived: GatewayRequest = { kind, key };
        counts.set(key, (counts.get(key) ?? 0) + 1);
        for (const hold of holds) if (hold.match(arrived)) await hold.arrive(arrived);
      }
      return fetch(request, env);
    };
  const gateway = await startInProcessGateway({
    databaseUrl,
    faults: createFaults({
      errorRate: 0,
      latencyMs,
      declinedCard: 'tok_declined',
      dropResponseRate: 0,
    }),
    wrap: probe,
  });

  return {
    url: gateway.url,
    ledger: (keyPrefix) => gateway.store.ledger(keyPrefix),
    hold: (match) => addHold(holds, match),
    requests: (key) => counts.get(key) ?? 0,
    async close() {
      for (const hold of [...holds]) hold.release();
      await gateway.close();
    },
  };
}
