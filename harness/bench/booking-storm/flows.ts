import {
  httpRequest,
  jsonBody,
  transportErrorKind,
  type HttpReply,
  type HttpTarget,
} from '../support/http-client.js';
import type { StormRun } from './resources.js';

export const BOOK = 'POST /bookings';
export const PAY = 'POST /bookings/:id/pay';
type Endpoint = typeof BOOK | typeof PAY;

export const PAYMENT_TOKEN = 'tok_visa';

export const isHttpStatus = (kind: string) => /^\d{3}$/.test(kind);

/** What the clients saw so far: counted as the answers come in. */
export interface Tally {
  /** `${endpoint} ${status or error kind}` → count. */
  statuses: Map<string, number>;
  /** Row label → latencies (ms). */
  latencies: Map<string, number[]>;
  /** How each client's flow ended → count. */
  outcomes: Map<string, number>;
  /** Pay answers of 200 with status CONFIRMED. */
  apiConfirmed: number;
  inFlight: Record<Endpoint, number>;
  flowsDone: number;
  serverErrors: number;
  transportErrors: number;
}

export const emptyTally = (): Tally => ({
  statuses: new Map(),
  latencies: new Map(),
  outcomes: new Map(),
  apiConfirmed: 0,
  inFlight: { [BOOK]: 0, [PAY]: 0 },
  flowsDone: 0,
  serverErrors: 0,
  transportErrors: 0,
});

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
const record = (map: Map<string, number[]>, key: string, value: number) => {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  list.push(value);
};
const now = () => performance.now();

/** One request: its status (or why there was none) counted, its latency recorded by status. */
async function call(
  run: StormRun,
  tally: Tally,
  request: {
    endpoint: Endpoint;
    target: HttpTarget;
    route: string;
    headers?: Record<string, string>;
  },
  body: unknown,
): Promise<{ kind: string; reply?: HttpReply }> {
  const { endpoint } = request;
  tally.inFlight[endpoint]++;
  const t0 = now();
  let kind: string;
  let reply: HttpReply | undefined;
  try {
    reply = await httpRequest(run.agent, request.target, 'POST', request.route, {
      headers: { 'content-type': 'application/json', ...request.headers },
      body: JSON.stringify(body),
      timeoutMs: run.options.timeoutMs,
    });
    kind = String(reply.status);
    if (reply.status >= 500) tally.serverErrors++;
    record(tally.latencies, `${endpoint} → ${kind}`, now() - t0);
    record(tally.latencies, `${endpoint} (every answer)`, now() - t0);
  } catch (error) {
    kind = run.interrupted ? 'ABORTED' : transportErrorKind(error);
    tally.transportErrors++;
  }
  tally.inFlight[endpoint]--;
  bump(tally.statuses, `${endpoint} ${kind}`);
  return { kind, reply };
}

/** Pays for the seats a client holds; says how its flow ended. */
async function pay(
  run: StormRun,
  tally: Tally,
  target: HttpTarget,
  bookingId: string,
  t0: number,
): Promise<string> {
  const route = `/bookings/${bookingId}/pay`;
  const paid = await call(
    run,
    tally,
    { endpoint: PAY, target, route },
    { paymentToken: PAYMENT_TOKEN },
  );
  const status = paid.reply && jsonBody<{ status?: string }>(paid.reply)?.status;
  if (paid.kind === '200' && status === 'CONFIRMED') {
    tally.apiConfirmed++;
    record(tally.latencies, 'book + pay, confirmed', now() - t0);
    return 'confirmed (201 held, then 200 paid)';
  }
  if (paid.kind === '200') return `held, then pay 200 with status ${status ?? '(unreadable body)'}`;
  return `held, then pay ${isHttpStatus(paid.kind) ? `HTTP ${paid.kind}` : paid.kind}`;
}

/** Client `i`: books with its own Idempotency-Key and, when that holds seats (201), pays. */
export async function flow(
  run: StormRun,
  tally: Tally,
  targets: HttpTarget[],
  eventId: string,
  i: number,
): Promise<void> {
  const bookingId = `${run.bookingPrefix}${i}`;
  const target = targets[i % targets.length]!;
  const t0 = now();
  const book = await call(
    run,
    tally,
    { endpoint: BOOK, target, route: '/bookings', headers: { 'idempotency-key': bookingId } },
    { eventId, customerId: `storm-customer-${i}`, seats: run.options.seatsPerBooking },
  );
  let outcome: string;
  if (book.kind === '201') {
    outcome = await pay(run, tally, target, bookingId, t0);
  } else if (book.kind === '409') {
    const sold = book.reply && jsonBody<{ availableSeats?: number }>(book.reply);
    outcome =
      sold?.availableSeats !== undefined ? 'sold out (409)' : 'book 409 (not sold out: see logs)';
  } else {
    outcome = `book ${isHttpStatus(book.kind) ? `HTTP ${book.kind}` : book.kind}`;
  }
  bump(tally.outcomes, outcome);
  record(tally.latencies, 'whole flow, every client', now() - t0);
  tally.flowsDone++;
}
