/**
 * Wraps fake activities so that every call (name and input) is recorded in order. Each default
 * can be overridden per test.
 */
export function recordingFakes<
  Name extends string,
  Fakes extends Record<Name, (input: never) => Promise<unknown>>,
>(defaults: Fakes, overrides: Partial<Fakes>) {
  const calls: { name: Name; input: unknown }[] = [];
  const merged = { ...defaults, ...overrides };
  const recorded = Object.fromEntries(
    (Object.keys(merged) as Name[]).map((name) => [
      name,
      async (input: never) => {
        calls.push({ name, input });
        return (merged[name] as (input: never) => Promise<unknown>)(input);
      },
    ]),
  ) as unknown as Fakes;
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
