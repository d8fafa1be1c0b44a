import { setTimeout as delay } from 'node:timers/promises';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { faultSettingsPatchSchema, type Faults, type RequestPlan } from './faults.js';
import type { ChargeRecord, GatewayStore, NewCharge, RefundRecord } from './gateway.store.js';

export interface GatewayLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface GatewayAppDeps {
  store: GatewayStore;
  faults: Faults;
  logger?: GatewayLogger;
  /** Injected so tests of slow faults need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/** The raw Node request @hono/node-server passes as `c.env`; `app.request()` in tests passes none. */
export interface NodeBindings {
  incoming?: { socket: { destroy(): void } };
}

type GatewayEnv = { Bindings: NodeBindings | undefined };
type GatewayContext = Context<GatewayEnv>;

const MAX_INT4 = 2_147_483_647;
const token = z.string().min(1).max(255);

const chargeBodySchema = z.object({
  amountCents: z.number().int().positive().max(MAX_INT4),
  cardToken: token,
  customerId: token,
});

const refundBodySchema = z.object({ chargeIdempotencyKey: token });

type Parsed<T> = { ok: true; value: T } | { ok: false; response: Response };

const badRequest = (c: GatewayContext, field: string, message: string) =>
  c.json({ error: `invalid ${field}: ${message}`, field }, 400);

function parseField<S extends z.ZodType>(
  c: GatewayContext,
  schema: S,
  value: unknown,
  field: string,
): Parsed<z.infer<S>> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.');
  return { ok: false, response: badRequest(c, path ? path : field, issue?.message ?? 'invalid') };
}

async function parseBody<S extends z.ZodType>(
  c: GatewayContext,
  schema: S,
): Promise<Parsed<z.infer<S>>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return { ok: false, response: badRequest(c, 'body', 'expected a JSON object') };
  }
  return parseField(c, schema, body, 'body');
}

const parseIdempotencyKey = (c: GatewayContext) =>
  parseField(c, token, c.req.header('Idempotency-Key'), 'Idempotency-Key');

function chargeReply(charge: ChargeRecord) {
  return charge.status === 'captured'
    ? ({
        status: 201,
        body: { status: 'captured', chargeId: charge.chargeId, amountCents: charge.amountCents },
      } as const)
    : ({ status: 402, body: { status: 'declined', reason: charge.declineReason } } as const);
}

function refundReply(refund: RefundRecord) {
  return refund.status === 'refunded'
    ? ({
        status: 201,
        body: {
          status: 'refunded',
          refundId: refund.refundId,
          chargeId: refund.chargeId,
          amountCents: refund.amountCents,
        },
      } as const)
    : ({ status: 200, body: { status: 'voided' } } as const);
}

const sameCharge = (stored: ChargeRecord, requested: NewCharge) =>
  stored.amountCents === requested.amountCents &&
  stored.cardToken === requested.cardToken &&
  stored.customerId === requested.customerId;

const keyReused = (c: GatewayContext) =>
  c.json({ error: 'idempotency key reused with a different request' }, 422);

const silentLogger: GatewayLogger = { info() {}, warn() {}, error() {} };

type GatewayApp = Hono<GatewayEnv>;
type RouteDeps = Required<GatewayAppDeps>;

/** How injected faults change a response: delayed, replaced by a 503, or never sent. */
function faultEffects({ logger, sleep }: RouteDeps) {
  return {
    /** Runs the faults planned before processing; returns the response that replaces processing, if any. */
    async before(
      c: GatewayContext,
      plan: RequestPlan,
      fields: object,
    ): Promise<Response | undefined> {
      if (plan.delayMs > 0) await sleep(plan.delayMs);
      if (!plan.unavailable) return undefined;
      logger.warn(fields, 'fault: answering 503');
      return c.json({ error: 'service unavailable (injected fault)' }, 503);
    },

    /** The work is committed; the client must not learn its outcome, so it sees a reset connection. */
    dropResponse(c: GatewayContext, fields: object): Response {
      logger.warn(fields, 'fault: dropping the response');
      const socket = c.env?.incoming?.socket;
      if (!socket) return c.json({ error: 'response dropped (injected fault)' }, 500);
      socket.destroy();
      return RESPONSE_ALREADY_SENT;
    },
  };
}

type FaultEffects = ReturnType<typeof faultEffects>;

/** POST /charges: captures or declines once per idempotency key; a repeat gets the same answer. */
function chargeRoute(app: GatewayApp, { store, faults, logger }: RouteDeps, fault: FaultEffects) {
  app.post('/charges', async (c) => {
    const key = parseIdempotencyKey(c);
    if (!key.ok) return key.response;
    const body = await parseBody(c, chargeBodySchema);
    if (!body.ok) return body.response;
    const plan = faults.planCharge({ idempotencyKey: key.value, cardToken: body.value.cardToken });
    const fields = { idempotencyKey: key.value, cardToken: body.value.cardToken };
    const faulted = await fault.before(c, plan, fields);
    if (faulted) return faulted;

    const request: NewCharge = {
      ...body.value,
      idempotencyKey: key.value,
      declineReason: plan.declineReason,
    };
    const { record, replayed } = await store.recordCharge(request);
    if (!sameCharge(record, request)) return keyReused(c);
    if (!replayed)
      logger.info(
        { ...fields, chargeId: record.chargeId, status: record.status },
        'charge recorded',
      );
    if (plan.dropResponse) return fault.dropResponse(c, { ...fields, chargeId: record.chargeId });

    if (replayed) c.header('Idempotent-Replayed', 'true');
    const reply = chargeReply(record);
    return c.json(reply.body, reply.status);
  });
}

/** POST /refunds: refunds the charge under a charge key, or voids the key if nothing was captured. */
function refundRoute(app: GatewayApp, { store, faults, logger }: RouteDeps, fault: FaultEffects) {
  app.post('/refunds', async (c) => {
    const key = parseIdempotencyKey(c);
    if (!key.ok) return key.response;
    const body = await parseBody(c, refundBodySchema);
    if (!body.ok) return body.response;
    const plan = faults.planRefund();
    const fields = {
      idempotencyKey: key.value,
      chargeIdempotencyKey: body.value.chargeIdempotencyKey,
    };
    const faulted = await fault.before(c, plan, fields);
    if (faulted) return faulted;

    const { record, replayed } = await store.recordRefund({
      ...body.value,
      idempotencyKey: key.value,
    });
    if (record.chargeIdempotencyKey !== body.value.chargeIdempotencyKey) return keyReused(c);
    if (!replayed)
      logger.info(
        { ...fields, refundId: record.refundId, status: record.status },
        'refund recorded',
      );
    if (plan.dropResponse) return fault.dropResponse(c, { ...fields, refundId: record.refundId });

    if (replayed) c.header('Idempotent-Replayed', 'true');
    const reply = refundReply(record);
    return c.json(reply.body, reply.status);
  });
}

/** What the gateway holds: a charge by key or id, the ledger. Faults never apply to reads. */
function readRoutes(app: GatewayApp, { store }: RouteDeps) {
  app.get('/charges', async (c) => {
    const key = parseField(c, token, c.req.query('idempotencyKey'), 'idempotencyKey');
    if (!key.ok) return key.response;
    const charge = await store.findChargeByKey(key.value);
    return charge ? c.json(charge) : c.json({ error: 'charge not found' }, 404);
  });

  app.get('/charges/:chargeId', async (c) => {
    const charge = await store.findChargeById(c.req.param('chargeId'));
    return charge ? c.json(charge) : c.json({ error: 'charge not found' }, 404);
  });

  app.get('/ledger', async (c) => c.json(await store.ledger(c.req.query('keyPrefix'))));
}

function healthRoute(app: GatewayApp, { store, logger }: RouteDeps) {
  app.get('/health', async (c) => {
    try {
      await store.ping();
      return c.json({ status: 'ok' });
    } catch (error) {
      logger.warn({ err: error }, 'health check: database unreachable');
      return c.json({ status: 'unavailable' }, 503);
    }
  });
}

/** The fault settings, read and changed at run time (tests, demos, benches). */
function faultAdminRoutes(app: GatewayApp, { faults, logger }: RouteDeps) {
  app.get('/admin/faults', (c) => c.json(faults.settings()));

  app.put('/admin/faults', async (c) => {
    const patch = await parseBody(c, faultSettingsPatchSchema);
    if (!patch.ok) return patch.response;
    const settings = faults.update(patch.value);
    logger.info({ settings }, 'fault settings changed');
    return c.json(settings);
  });
}

export function createGatewayApp({
  store,
  faults,
  logger = silentLogger,
  sleep = delay,
}: GatewayAppDeps) {
  const app = new Hono<GatewayEnv>();
  const deps: RouteDeps = { store, faults, logger, sleep };
  const fault = faultEffects(deps);
  chargeRoute(app, deps, fault);
  refundRoute(app, deps, fault);
  readRoutes(app, deps);
  healthRoute(app, deps);
  faultAdminRoutes(app, deps);

  app.notFound((c) => c.json({ error: 'not found' }, 404));

  app.onError((error, c) => {
    logger.error({ err: error, method: c.req.method, path: c.req.path }, 'request failed');
    return c.json({ error: 'internal error' }, 500);
  });

  return app;
}
