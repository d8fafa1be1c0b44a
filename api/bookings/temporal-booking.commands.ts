import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import {
  cancelBookingUpdate,
  confirmPaymentUpdate,
  HOLD_CONFLICT_REASON,
  holdOutcomeUpdate,
} from '../../workflows/bookings/booking.messages.js';
import type { BookingSagaWorkflow } from '../../workflows/bookings/booking.types.js';
import { BOOKING_TASK_QUEUE, bookingWorkflowId } from '../../workflows/contracts/names.js';
import {
  BookingStatusAttribute,
  CustomerIdAttribute,
  EventIdAttribute,
} from '../../workflows/contracts/search-attributes.js';
import type { BookingCommands } from './booking.commands.js';
import { createInFlightLimit } from '../http/in-flight-limit.js';
import { describeBooking } from '../../workflows/bookings/booking.description.js';
import { isNotFound, sagaStatusOf } from '../http/temporal-errors.js';

export interface BookingCommandOptions {
  /** For tests that run their own worker; sagas otherwise go to the booking workers. */
  taskQueue?: string;
  /** Updates of one kind (holds; payments and cancels) awaiting their answer at once; more wait here. */
  maxInFlight?: number;
}

export function createTemporalBookingCommands(
  client: Client,
  { taskQueue = BOOKING_TASK_QUEUE, maxInFlight = 500 }: BookingCommandOptions = {},
): BookingCommands {
  const handle = (bookingId: string) =>
    client.workflow.getHandle<BookingSagaWorkflow>(bookingWorkflowId(bookingId));
  // Separate queues, so that payments for held seats never wait behind a storm of new holds.
  const holdsLimited = createInFlightLimit(maxInFlight);
  const paymentsLimited = createInFlightLimit(maxInFlight);

  /** Sends an Update to a running saga; a rejection, or a saga that has ended, is an outcome too. */
  async function updateOf<Arg, Ret, Answer>(
    bookingId: string,
    update: UpdateDefinition<Ret, [Arg]>,
    arg: Arg,
    answered: (result: Ret) => Answer,
  ): Promise<
    Answer | { kind: 'rejected'; reason: string } | { kind: 'ended' } | { kind: 'not-found' }
  > {
    try {
      return answered(
        await paymentsLimited(() => handle(bookingId).executeUpdate(update, { args: [arg] })),
      );
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        return { kind: 'rejected', reason: error.cause?.message ?? error.message };
      }
      if (!isNotFound(error)) throw error;
      return (await sagaStatusOf(handle(bookingId))) ? { kind: 'ended' } : { kind: 'not-found' };
    }
  }

  return {
    async book(input) {
      const description = describeBooking(input);
      // Start and ask in one round trip; a retried POST attaches to the saga its first try started.
      const start = new WithStartWorkflowOperation<BookingSagaWorkflow>('bookingSaga', {
        taskQueue,
        workflowId: bookingWorkflowId(input.bookingId),
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        // A closed saga keeps its id: a late retry finds it instead of booking a second time.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        // A task lost with a killed worker is retried after this (default 10 s); ours take ms.
        workflowTaskTimeout: '3s',
        typedSearchAttributes: [
          { key: BookingStatusAttribute, value: 'PENDING' },
          { key: EventIdAttribute, value: input.eventId },
          { key: CustomerIdAttribute, value: input.customerId },
        ],
        // requestFingerprint: a retried POST compares it (below); the rest is for the Web UI.
        memo: { requestFingerprint: input.requestFingerprint, ...description.memo },
        staticSummary: description.staticSummary,
        staticDetails: description.staticDetails,
      });
      try {
        const reply = await holdsLimited(() =>
          client.workflow.executeUpdateWithStart(holdOutcomeUpdate, {
            args: [input.requestFingerprint],
            startWorkflowOperation: start,
          }),
        );
        return { kind: 'answered', reply };
      } catch (error) {
        // Only the validator's message crosses from the worker: the shared text tells a conflict.
        if (
          error instanceof WorkflowUpdateFailedError &&
          error.cause?.message.includes(HOLD_CONFLICT_REASON)
        )
          return { kind: 'conflict' };
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        const { memo } = await handle(input.bookingId).describe();
        return memo?.requestFingerprint === input.requestFingerprint
          ? { kind: 'ended' }
          : { kind: 'conflict' };
      }
    },

    async pay(bookingId, paymentToken) {
      return updateOf(bookingId, confirmPaymentUpdate, { paymentToken }, (result) => ({
        kind: 'answered',
        result,
      }));
    },

    async cancel(bookingId, reason) {
      return updateOf(bookingId, cancelBookingUpdate, { reason }, ({ refunded }) => ({
        kind: 'cancelled',
        refunded,
      }));
    },

    sagaStatus: (bookingId) => sagaStatusOf(handle(bookingId)),
  };
}
