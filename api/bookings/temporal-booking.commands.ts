import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import {
  cancelBookingUpdate,
  confirmPaymentUpdate,
  HOLD_CONFLICT_REASON,
  holdOutcomeUpdate,
} from '../../workflows/bookings/booking.messages.js';
import type {
  BookingSagaInput,
  BookingSagaWorkflow,
} from '../../workflows/bookings/booking.types.js';
import { BOOKING_TASK_QUEUE, bookingWorkflowId } from '../../workflows/contracts/names.js';
import {
  BookingStatusAttribute,
  CustomerIdAttribute,
  EventIdAttribute,
} from '../../workflows/contracts/search-attributes.js';
import type { BookingCommands, BookOutcome } from './booking.commands.js';
import { createInFlightLimit, type InFlightLimit } from '../http/in-flight-limit.js';
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
  // Pays and cancels: the Updates sent to a saga once it has answered its hold.
  const payOrCancelLimited = createInFlightLimit(maxInFlight);

  return {
    book: (input) => startAndAskHold(client, holdsLimited, taskQueue, input),

    async pay(bookingId, paymentToken) {
      return updateOf(
        handle(bookingId),
        payOrCancelLimited,
        confirmPaymentUpdate,
        { paymentToken },
        (result) => ({ kind: 'answered', result }),
      );
    },

    async cancel(bookingId, reason) {
      return updateOf(
        handle(bookingId),
        payOrCancelLimited,
        cancelBookingUpdate,
        { reason },
        ({ refunded }) => ({ kind: 'cancelled', refunded }),
      );
    },

    sagaStatus: (bookingId) => sagaStatusOf(handle(bookingId)),
  };
}

/** Starts the saga and asks for its hold in one round trip. */
async function startAndAskHold(
  client: Client,
  limited: InFlightLimit,
  taskQueue: string,
  input: BookingSagaInput,
): Promise<BookOutcome> {
  const start = bookingSagaStart(input, taskQueue);
  try {
    const reply = await limited(() =>
      client.workflow.executeUpdateWithStart(holdOutcomeUpdate, {
        args: [input.requestFingerprint],
        startWorkflowOperation: start,
      }),
    );
    return { kind: 'answered', reply };
  } catch (error) {
    const saga = client.workflow.getHandle<BookingSagaWorkflow>(bookingWorkflowId(input.bookingId));
    return holdRefusal(error, saga, input.requestFingerprint);
  }
}

/**
 * Starts the booking saga, unless its id is taken: then the Update goes to the saga its first try
 * started, so a retried POST attaches to it.
 */
function bookingSagaStart(
  input: BookingSagaInput,
  taskQueue: string,
): WithStartWorkflowOperation<BookingSagaWorkflow> {
  const description = describeBooking(input);
  return new WithStartWorkflowOperation<BookingSagaWorkflow>('bookingSaga', {
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
    // requestFingerprint: a retried POST compares it (holdRefusal); the rest is for the Web UI.
    memo: { requestFingerprint: input.requestFingerprint, ...description.memo },
    staticSummary: description.staticSummary,
    staticDetails: description.staticDetails,
  });
}

/**
 * Why the hold got no answer: the key was used for a different request, or its saga has already
 * ended (the same request again); any other error is thrown on.
 */
async function holdRefusal(
  error: unknown,
  saga: WorkflowHandle<BookingSagaWorkflow>,
  requestFingerprint: string,
): Promise<BookOutcome> {
  // Only the validator's message crosses from the worker: the shared text tells a conflict.
  if (
    error instanceof WorkflowUpdateFailedError &&
    error.cause?.message.includes(HOLD_CONFLICT_REASON)
  )
    return { kind: 'conflict' };
  if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  const { memo } = await saga.describe();
  return memo?.requestFingerprint === requestFingerprint ? { kind: 'ended' } : { kind: 'conflict' };
}

/** Sends an Update to a running saga; a rejection, or a saga that has ended, is an outcome too. */
async function updateOf<Arg, Ret, Answer>(
  saga: WorkflowHandle<BookingSagaWorkflow>,
  limited: InFlightLimit,
  update: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  answered: (result: Ret) => Answer,
): Promise<
  Answer | { kind: 'rejected'; reason: string } | { kind: 'ended' } | { kind: 'not-found' }
> {
  try {
    return answered(await limited(() => saga.executeUpdate(update, { args: [arg] })));
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) {
      return { kind: 'rejected', reason: error.cause?.message ?? error.message };
    }
    if (!isNotFound(error)) throw error;
    return (await sagaStatusOf(saga)) ? { kind: 'ended' } : { kind: 'not-found' };
  }
}
