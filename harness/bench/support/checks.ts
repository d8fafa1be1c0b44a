/** One PASS/FAIL line of a bench's verdict. */
export interface Check {
  name: string;
  value: string;
  ok: boolean;
}

/** `  PASS  <name>  <value>` per check, names padded to `nameWidth`. */
export const checkLines = (checks: Check[], nameWidth: number) =>
  checks.map((c) => `  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(nameWidth)} ${c.value}`);
