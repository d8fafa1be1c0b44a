import type { Activities } from '../../activities/index.js';

type OrderActivityName =
  | 'createOrder'
  | 'reserveInventory'
  | 'releaseInventory'
  | 'chargePayment'
  | 'refundPayment'
  | 'confirmOrder'
  | 'closeOrder'
  | 'notifyCustomer';

export type FakeOrderActivities = Pick<Activities, OrderActivityName>;

/**
 * Fake order-saga activities that record every call (name and input) in order. Each happy-path
 * default can be overridden per test.
 */
export function fakeOrderActivities(overrides: Partial<FakeOrderActivities> = {}) {
  const calls: { name: OrderActivityName; input: unknown }[] = [];
  const defaults: FakeOrderActivities = {
    createOrder: async () => ({ totalCents: 2_500 }),
    reserveInventory: async () => {},
    releaseInventory: async () => {},
    chargePayment: async () => ({ chargeId: 'ch_fake' }),
    refundPayment: async () => ({ refunded: true }),
    confirmOrder: async () => {},
    closeOrder: async () => {},
    notifyCustomer: async () => {},
  };
  const merged = { ...defaults, ...overrides };
  const recorded = Object.fromEntries(
    (Object.keys(merged) as OrderActivityName[]).map((name) => [
      name,
      async (input: never) => {
        calls.push({ name, input });
        return (merged[name] as (input: never) => Promise<unknown>)(input);
      },
    ]),
  ) as unknown as FakeOrderActivities;
  return { activities: recorded, calls, names: () => calls.map((c) => c.name) };
}

/** A promise the test resolves later: lets a fake activity block until the test has acted. */
export function gate() {
  let open!: () => void;
  let entered!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (entered = resolve));
  return {
    /** Inside the fake: signal arrival, then wait to be let through. */
    pass: async () => {
      entered();
      await opened;
    },
    reached,
    open,
  };
}
