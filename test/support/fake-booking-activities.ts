import type { BookingActivities } from '../../activities/index.js';
import type { HoldSeatsInput } from '../../activities/bookings/booking.activities.js';
import { recordingFakes } from './fake-activities.js';

type BookingActivityName =
  | 'holdSeats'
  | 'releaseSeats'
  | 'chargeBooking'
  | 'refundBooking'
  | 'confirmBooking'
  | 'notifyBookingConfirmed';

export type FakeBookingActivities = Pick<BookingActivities, BookingActivityName>;

export const FAKE_SEAT_PRICE_CENTS = 2_500;

/**
 * Fake booking-saga activities that record every call. The hold succeeds for an event that starts
 * `eventStartsInMs` after the hold (workflow time), so a confirmed saga ends then.
 */
export function fakeBookingActivities(
  overrides: Partial<FakeBookingActivities> = {},
  eventStartsInMs = 24 * 3_600_000,
) {
  return recordingFakes<BookingActivityName, FakeBookingActivities>(
    {
      holdSeats: async (input: HoldSeatsInput) => ({
        kind: 'held',
        totalCents: input.seats * FAKE_SEAT_PRICE_CENTS,
        holdExpiresAt: input.holdExpiresAt,
        eventStartsAt: new Date(Date.parse(input.holdExpiresAt) + eventStartsInMs).toISOString(),
      }),
      releaseSeats: async () => ({ released: true }),
      chargeBooking: async () => ({ chargeId: 'ch_booking' }),
      refundBooking: async () => ({ refunded: true }),
      confirmBooking: async () => {},
      notifyBookingConfirmed: async () => {},
    },
    overrides,
  );
}
