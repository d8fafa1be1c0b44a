import { describe, expect, it } from 'vitest';
import { describeBooking } from '../../workflows/bookings/booking.description.js';
import { money } from '../../workflows/contracts/money.js';
import { describeOrder, itemsText, unitsOf } from '../../workflows/orders/order.description.js';
import { withSummary } from '../../workflows/saga/step-summary.js';

describe('step summaries', () => {
  it('formats integer cents as the UI shows amounts', () => {
    expect(money(4_800)).toBe('48.00');
    expect(money(5)).toBe('0.05');
    expect(money(-1_250)).toBe('-12.50');
  });

  it('lists the first few items, then how many more', () => {
    const items = ['A', 'B', 'C', 'D', 'E'].map((sku, i) => ({ sku, quantity: i + 1 }));
    expect(unitsOf(items)).toBe(15);
    expect(itemsText(items.slice(0, 2))).toBe('1 × A, 2 × B');
    expect(itemsText(items)).toBe('1 × A, 2 × B, 3 × C, 2 more SKU(s)');
  });

  it('passes only the summary as per-call options, so the proxy keeps its timeouts and retries', async () => {
    const calls: unknown[] = [];
    const activity = {
      executeWithOptions: async (options: { summary?: string }, args: [{ orderId: string }]) => {
        calls.push({ options, args });
        return 'done';
      },
    };
    expect(await withSummary(activity, 'Reserve 3 item(s)', { orderId: 'K' })).toBe('done');
    expect(calls).toEqual([
      { options: { summary: 'Reserve 3 item(s)' }, args: [{ orderId: 'K' }] },
    ]);
  });

  it('describes a saga for the Web UI without dropping what the API needs', () => {
    const order = describeOrder({
      orderId: 'K',
      customerId: 'c-1',
      items: [{ sku: 'SKU-COFFEE', quantity: 2 }],
      paymentToken: 'tok_visa',
      paymentDeadlineSeconds: 30,
    });
    expect(order.staticSummary).toBe('Order K: 2 item(s) (2 × SKU-COFFEE) for customer c-1');
    expect(order.staticDetails).toContain('charge key `order:K:charge`, deadline 30 s');
    expect(order.memo).toMatchObject({ customerId: 'c-1', units: 2 });
    const booking = describeBooking({
      bookingId: 'B',
      eventId: 'E',
      customerId: 'c-1',
      seats: 2,
      holdSeconds: 600,
      requestFingerprint: 'f',
    });
    expect(booking.staticSummary).toBe('Booking B: 2 seat(s) of event E for customer c-1');
    expect(booking.memo).toMatchObject({ eventId: 'E', seats: 2, customerId: 'c-1' });
  });
});
