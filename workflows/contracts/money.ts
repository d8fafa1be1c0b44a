/**
 * Integer cents as the gateway, the Web UI and the customer's notifications show an amount:
 * `4800` → `48.00`. Pure, so workflows and activities share it.
 */
export const money = (cents: number): string =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;
