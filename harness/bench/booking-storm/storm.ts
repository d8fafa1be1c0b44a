import { seconds } from '../../support/polling.js';
import { httpRequest, jsonBody, type HttpTarget } from '../support/http-client.js';
import { writeProgress } from '../support/progress.js';
import { BOOK, PAY, emptyTally, flow, type Tally } from './flows.js';
import { measureClientSide, sampleSeats, type ClientSide, type SeatSamples } from './probes.js';
import type { StormRun } from './resources.js';

const PROGRESS_TTY_MS = 500;
const PROGRESS_PLAIN_MS = 1_000;

export interface StormResult extends ClientSide {
  wallMs: number;
  statuses: Tally['statuses'];
  latencies: Tally['latencies'];
  outcomes: Tally['outcomes'];
  apiConfirmed: number;
  /** Sampled from Postgres during the storm. */
  lowestAvailable: number | undefined;
  samples: number;
  aborted: boolean;
}

/** The event of this run, through the API; its id. */
export async function createEvent(
  run: StormRun,
  target: HttpTarget,
  startsAt: Date,
): Promise<string> {
  const reply = await httpRequest(run.agent, target, 'POST', '/events', {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      title: `Booking storm ${run.runId}`,
      startsAt: startsAt.toISOString(),
      totalSeats: run.options.totalSeats,
      priceCents: run.options.priceCents,
    }),
    timeoutMs: 30_000,
  });
  const event = jsonBody<{ id?: string }>(reply);
  if (reply.status !== 201 || !event?.id)
    throw new Error(`POST /events answered ${reply.status}: ${reply.body.slice(0, 200)}`);
  return event.id;
}

/** Opens one keep-alive connection per client (spread like the clients), right before the storm. */
export async function warmConnections(run: StormRun, targets: HttpTarget[]): Promise<number> {
  const { clients, timeoutMs } = run.options;
  const replies = await Promise.allSettled(
    Array.from({ length: clients }, (_, i) =>
      httpRequest(run.agent, targets[i % targets.length]!, 'GET', '/openapi.json', { timeoutMs }),
    ),
  );
  return replies.filter((r) => r.status === 'fulfilled').length;
}

function progressLine(run: StormRun, tally: Tally, seats: SeatSamples, elapsedMs: number): string {
  const { clients, totalSeats } = run.options;
  const count = (key: string) => tally.statuses.get(key) ?? 0;
  const done = (endpoint: string) =>
    [...tally.statuses]
      .filter(([k]) => k.startsWith(`${endpoint} `))
      .reduce((s, [, n]) => s + n, 0);
  const otherBooks = done(BOOK) - count(`${BOOK} 201`) - count(`${BOOK} 409`);
  const otherPays = done(PAY) - count(`${PAY} 200`);
  return (
    `[${seconds(elapsedMs).padStart(7)}] flows ${String(tally.flowsDone).padStart(String(clients).length)}/${clients}` +
    `  in flight: book ${tally.inFlight[BOOK]}, pay ${tally.inFlight[PAY]}` +
    `  | book 201×${count(`${BOOK} 201`)} 409×${count(`${BOOK} 409`)}${otherBooks ? ` other×${otherBooks}` : ''}` +
    `  pay 200×${count(`${PAY} 200`)}${otherPays ? ` other×${otherPays}` : ''}` +
    `  | 5xx ${tally.serverErrors}  no answer ${tally.transportErrors}` +
    `  | seats left ${seats.current ?? '?'}/${totalSeats}`
  );
}

/** Every client at once, each booking and paying; then what they saw, and what it cost the client. */
export async function runStorm(
  run: StormRun,
  targets: HttpTarget[],
  eventId: string,
): Promise<StormResult> {
  const tally = emptyTally();
  const seats = sampleSeats(run, eventId);
  const clientSide = measureClientSide(run);
  const begin = performance.now();
  const report = (final: boolean) =>
    writeProgress(progressLine(run, tally, seats.samples, performance.now() - begin), final, {
      fitWidth: true,
    });
  const ticker = setInterval(
    () => report(false),
    process.stderr.isTTY === true ? PROGRESS_TTY_MS : PROGRESS_PLAIN_MS,
  );
  // Each request is handed to its own socket in this same tick.
  await Promise.all(
    Array.from({ length: run.options.clients }, (_, i) => flow(run, tally, targets, eventId, i)),
  );
  const wallMs = performance.now() - begin;
  const client = clientSide.stop();
  clearInterval(ticker);
  await seats.stop();
  report(true);
  return {
    wallMs,
    statuses: tally.statuses,
    latencies: tally.latencies,
    outcomes: tally.outcomes,
    apiConfirmed: tally.apiConfirmed,
    lowestAvailable: seats.samples.lowest,
    samples: seats.samples.count,
    ...client,
    aborted: run.interrupted,
  };
}
