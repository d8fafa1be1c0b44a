import { z } from 'zod';

export const MAX_LATENCY_MS = 60_000;

const rate = z.number().min(0).max(1);

export const faultSettingsSchema = z.object({
  /** Share of charge/refund requests answered 503 before anything is processed. */
  errorRate: rate,
  /** Added to every charge/refund before it is processed. */
  latencyMs: z.number().int().min(0).max(MAX_LATENCY_MS),
  /** Charges with this card token are always declined with reason `card_declined`. */
  declinedCard: z.string().min(1),
  /** Share of charge/refund requests that are processed, then answered by closing the connection. */
  dropResponseRate: rate,
});

export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export const faultSettingsPatchSchema = faultSettingsSchema.partial().strict();

export type FaultSettingsPatch = z.infer<typeof faultSettingsPatchSchema>;

/** Card tokens with a built-in misbehaviour, so a test can provoke it without touching global settings. */
export const FAULT_CARDS = {
  /** Captured, but the first attempt per idempotency key loses its response. */
  dropResponse: 'tok_drop_response',
  /** The first attempts per idempotency key answer 503. */
  flaky: 'tok_flaky',
  /** Every charge takes a few seconds longer. */
  slow: 'tok_slow',
} as const;

export const FLAKY_FAILURES = 2;
export const SLOW_CARD_DELAY_MS = 3_000;
export const DECLINED_REASON = 'card_declined';

export interface RequestPlan {
  delayMs: number;
  /** Answer 503 without processing. */
  unavailable: boolean;
  /** Process, then close the connection instead of answering. */
  dropResponse: boolean;
}

export interface ChargePlan extends RequestPlan {
  declineReason: string | undefined;
}

export interface Faults {
  settings(): FaultSettings;
  update(patch: FaultSettingsPatch): FaultSettings;
  planCharge(request: { idempotencyKey: string; cardToken: string }): ChargePlan;
  planRefund(): RequestPlan;
}

export interface FaultsOptions {
  /** Returns a number in [0, 1); tests pass a fixed sequence. */
  random?: () => number;
  /** Bounds the memory used to count attempts per idempotency key. */
  maxTrackedKeys?: number;
}

export function createFaults(
  initial: FaultSettings,
  { random = Math.random, maxTrackedKeys = 10_000 }: FaultsOptions = {},
): Faults {
  let current: FaultSettings = { ...initial };
  const attemptsByKey = new Map<string, number>();

  const chance = (probability: number) => probability > 0 && random() < probability;

  const countAttempt = (idempotencyKey: string): number => {
    const attempt = (attemptsByKey.get(idempotencyKey) ?? 0) + 1;
    attemptsByKey.delete(idempotencyKey);
    attemptsByKey.set(idempotencyKey, attempt);
    if (attemptsByKey.size > maxTrackedKeys) {
      const oldest = attemptsByKey.keys().next();
      if (!oldest.done) attemptsByKey.delete(oldest.value);
    }
    return attempt;
  };

  const planGlobal = (): RequestPlan => ({
    delayMs: current.latencyMs,
    unavailable: chance(current.errorRate),
    dropResponse: false,
  });

  return {
    settings: () => ({ ...current }),
    update(patch) {
      current = { ...current, ...patch };
      return { ...current };
    },
    planCharge({ idempotencyKey, cardToken }) {
      const plan = planGlobal();
      const special = cardToken === FAULT_CARDS.flaky || cardToken === FAULT_CARDS.dropResponse;
      const attempt = special ? countAttempt(idempotencyKey) : 0;
      const unavailable =
        plan.unavailable || (cardToken === FAULT_CARDS.flaky && attempt <= FLAKY_FAILURES);
      const dropResponse =
        !unavailable &&
        ((cardToken === FAULT_CARDS.dropResponse && attempt === 1) ||
          chance(current.dropResponseRate));
      return {
        delayMs: plan.delayMs + (cardToken === FAULT_CARDS.slow ? SLOW_CARD_DELAY_MS : 0),
        unavailable,
        dropResponse,
        declineReason: cardToken === current.declinedCard ? DECLINED_REASON : undefined,
      };
    },
    planRefund() {
      const plan = planGlobal();
      return { ...plan, dropResponse: !plan.unavailable && chance(current.dropResponseRate) };
    },
  };
}
