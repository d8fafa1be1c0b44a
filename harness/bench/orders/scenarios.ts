import { createHash } from 'node:crypto';
import type { WorkflowStartOptions } from '@temporalio/client';
import { createTemporalOrderCommands } from '../../../api/orders/temporal-order.commands.js';
import { errorText } from '../../../platform/config/error-text.js';
import { orderWorkflowId } from '../../../workflows/contracts/names.js';
import type { OrderSagaResult } from '../../../workflows/orders/order.types.js';
import type { Outcome } from '../support/load.js';
import type { NoopSagaInput } from '../workflows/noop/workflows.js';
import type { inProcessWorkers } from './in-process-workers.js';
import type { orderProcesses } from './processes.js';
import {
  RESULT_TIMEOUT_MS,
  orderInput,
  orderKey,
  orderStartOptions,
  placeOrderOverRest,
  startAndAwait,
} from './requests.js';
import type { OrdersRun } from './resources.js';

export interface Scenario {
  name: string;
  label: string;
  /** Brings up what the scenario needs; returns one request of it. */
  prepare(): Promise<(seq: number) => Promise<Outcome>>;
}

/** What the scenarios run on: the run, its child processes and its in-process workers. */
export interface ScenarioDeps {
  run: OrdersRun;
  processes: ReturnType<typeof orderProcesses>;
  inProcess: ReturnType<typeof inProcessWorkers>;
}

const restScenario = ({ run, processes }: ScenarioDeps): Scenario => ({
  name: 'rest',
  label: 'order saga via REST',
  async prepare() {
    await processes.sagaWorkers();
    const { targets, agent } = await processes.api();
    await run.benchProduct();
    return async (seq) => {
      const orderId = orderKey(run, 'rest', seq);
      const input = await orderInput(run, orderId, seq);
      return placeOrderOverRest(agent, targets[seq % targets.length]!, orderId, input);
    };
  },
});

const clientScenario = ({ run, processes }: ScenarioDeps): Scenario => ({
  name: 'client',
  label: 'order saga via client (no HTTP)',
  async prepare() {
    await processes.sagaWorkers();
    const client = await run.grpcClient();
    const commands = createTemporalOrderCommands(client);
    await run.benchProduct();
    return async (seq) => {
      const orderId = orderKey(run, 'client', seq);
      try {
        // The API's own start (same options), then the result instead of the API's wait + read.
        const outcome = await commands.placeOrder(
          await orderInput(run, orderId, seq),
          createHash('sha256').update(orderId).digest('hex'),
        );
        if (outcome.kind !== 'started') return { ok: false, error: `start: ${outcome.kind}` };
        const handle = client.workflow.getHandle(orderWorkflowId(orderId));
        const result = (await client.withAbortSignal(AbortSignal.timeout(RESULT_TIMEOUT_MS), () =>
          handle.result(),
        )) as OrderSagaResult;
        return result.status === 'CONFIRMED'
          ? { ok: true }
          : { ok: false, error: `ended ${result.status}` };
      } catch (error) {
        return { ok: false, error: errorText(error) };
      }
    };
  },
});

const noopScenario =
  (
    name: string,
    label: string,
    options: { local?: boolean; searchAttributes?: boolean; eager?: boolean },
  ) =>
  ({ run, processes, inProcess }: ScenarioDeps): Scenario => ({
    name,
    label,
    async prepare() {
      const eager = options.eager ?? false;
      const taskQueue = eager ? run.queues.eagerNoop : run.queues.noop;
      const client = eager ? (await run.nativeClient()).client : await run.grpcClient();
      await (eager ? inProcess.eagerNoopWorker() : processes.noopWorkers());
      const sku = await run.benchProduct();
      return async (seq) => {
        const orderId = orderKey(run, name, seq);
        const input: NoopSagaInput = {
          ...(await orderInput(run, orderId, seq)),
          items: [{ sku, quantity: 1 }],
          local: options.local,
          searchAttributes: options.searchAttributes,
        };
        const workflowId = `noop:${orderId}`;
        const start: WorkflowStartOptions = options.searchAttributes
          ? orderStartOptions(input, workflowId, taskQueue, eager)
          : { taskQueue, workflowId, args: [input], requestEagerStart: eager };
        return startAndAwait(client, 'noopSaga', start);
      };
    },
  });

const sagaVariant =
  (name: string, label: string, workflowType: 'orderSaga' | 'orderSagaLocal', eager: boolean) =>
  ({ run, processes, inProcess }: ScenarioDeps): Scenario => ({
    name,
    label,
    async prepare() {
      const taskQueue = eager ? run.queues.eagerSaga : run.queues.sagaLocal;
      const client = eager ? (await run.nativeClient()).client : await run.grpcClient();
      await (eager ? inProcess.eagerSagaWorker() : processes.localSagaWorkers());
      await run.benchProduct();
      return async (seq) => {
        const orderId = orderKey(run, name, seq);
        const input = await orderInput(run, orderId, seq);
        return startAndAwait(
          client,
          workflowType,
          orderStartOptions(input, orderWorkflowId(orderId), taskQueue, eager),
        );
      };
    },
  });

const SCENARIOS: ((deps: ScenarioDeps) => Scenario)[] = [
  restScenario,
  clientScenario,
  noopScenario('ceiling', 'no-op ceiling (5 activities)', {}),
  noopScenario('ceiling-sa', 'no-op + search attributes/memo', { searchAttributes: true }),
  noopScenario('ceiling-local', 'no-op, local activities', { local: true }),
  noopScenario('ceiling-eager', 'no-op, eager start (in-process)', { eager: true }),
  noopScenario('ceiling-local-eager', 'no-op, local + eager start', { local: true, eager: true }),
  sagaVariant('saga-local', 'order saga, local activities', 'orderSagaLocal', false),
  sagaVariant('saga-eager', 'order saga, eager start (in-proc)', 'orderSaga', true),
  sagaVariant('saga-local-eager', 'order saga, local + eager start', 'orderSagaLocal', true),
];

/** The scenarios `--scenarios` names, in the table's order; fails (exit 2) on an unknown name or none. */
export function selectScenarios(deps: ScenarioDeps): Scenario[] {
  const { scenarios: requested, skipCeiling, fail } = deps.run.options;
  const all = SCENARIOS.map((create) => create(deps));
  const unknown = requested.filter((name) => !all.some((s) => s.name === name));
  if (unknown.length > 0) fail(`--scenarios: unknown ${unknown.join(', ')}`);
  const selected = all.filter(
    (s) => requested.includes(s.name) && !(skipCeiling && s.name.startsWith('ceiling')),
  );
  if (selected.length === 0) fail('--scenarios: nothing to run');
  return selected;
}
