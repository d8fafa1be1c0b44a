import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { App } from '../../api/app.js';
import type { PrismaClient } from '../../prisma/client.js';
import {
  buildApi,
  createClients,
  type Api,
  type Clients,
  type SagaWorkers,
} from '../../workers/composition/index.js';
import { orderWorkflowId } from '../../workflows/contracts/names.js';
import { launchChromium } from '../support/browser.js';
import {
  recordHistory,
  startSagaWorkers,
  testConfig,
  waitUntil,
} from '../support/integration-helpers.js';

/**
 * The two browser-facing pages, driven through Debian's chromium (headless, playwright-core):
 * a compensated order saga found and read in the Temporal Web UI, and a request run from the API
 * docs. Screenshots go to test-artifacts/; UPDATE_DOCS_SCREENSHOTS=1 also refreshes the README's.
 */

const env = inject('stackEnv');
const namespace = env.TEMPORAL_NAMESPACE ?? 'default';
const uiBase = `http://127.0.0.1:${env.TEMPORAL_UI_PORT}`;
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const DOCS_IMAGE = fileURLToPath(new URL('../../docs/images/web-ui-saga.png', import.meta.url));
const UI_TIMEOUT_MS = 20_000;

let clients: Clients;
let workers: SagaWorkers;
let api: Api;
let prisma: PrismaClient;
let client: Client;
let app: App;
let browser: Browser;

beforeAll(async () => {
  // A private task queue: only this file's worker runs these sagas.
  const taskQueue = `web-ui-e2e-${randomUUID()}`;
  const config = testConfig(env, {
    DATABASE_POOL_MAX: '5',
    ORDER_TASK_QUEUE: taskQueue,
    ORDER_WAIT_TIMEOUT_MS: '20000',
  });
  clients = await createClients(config, { logger: pino({ level: 'silent' }) });
  ({
    prisma,
    temporal: { client },
  } = clients);
  workers = await startSagaWorkers(config, clients, { bothSagasOn: taskQueue, relay: false });
  api = buildApi(config, clients);
  app = api.app;
  browser = await launchChromium();
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await workers?.stop();
  await api?.close();
  await clients?.close();
});

const shortId = () => randomUUID().slice(0, 8);

async function createProduct(stockOnHand: number, priceCents: number): Promise<string> {
  const sku = `WEB-UI-${shortId()}`;
  await prisma.product.create({
    data: { sku, name: `web UI e2e ${sku}`, priceCents, stockOnHand },
  });
  return sku;
}

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1080 } });
  page.setDefaultTimeout(UI_TIMEOUT_MS);
  return page;
}

/** The summary each activity was scheduled with, in history order. */
async function activitySummaries(workflowId: string) {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    const summary = event.userMetadata?.summary?.data;
    if (!scheduled) return [];
    return [
      {
        activity: scheduled.activityType?.name ?? '',
        summary: summary ? (JSON.parse(Buffer.from(summary).toString('utf8')) as string) : '',
      },
    ];
  });
}

/** Waits until one of the UI's rendered-markdown iframes (summary, details, current details) shows `text`. */
async function markdownContaining(page: Page, text: string): Promise<void> {
  const frames = page.locator('iframe[title="output"]');
  await waitUntil(
    `markdown showing "${text}"`,
    async () => {
      for (let i = 0; i < (await frames.count()); i++) {
        const body = frames.nth(i).contentFrame().locator('body');
        if ((await body.innerText().catch(() => '')).includes(text)) return true;
      }
      return undefined;
    },
    UI_TIMEOUT_MS,
  );
}

describe('Temporal Web UI', () => {
  it('finds a compensated order saga by CustomerId and shows its compensations, summaries and typed failure', async () => {
    // 3 × 16.00 reserved, then the card is declined: refund (nothing to refund) and release run.
    const sku = await createProduct(10, 1_600);
    const orderId = `web-ui-${shortId()}`;
    const customerId = `c-web-ui-${shortId()}`;
    const workflowId = orderWorkflowId(orderId);
    const placed = await app.request('/orders?wait=true', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': orderId },
      body: JSON.stringify({
        customerId,
        items: [{ sku, quantity: 3 }],
        paymentToken: 'tok_declined',
      }),
    });
    expect(placed.status, await placed.clone().text()).toBe(200);
    expect(await placed.json()).toMatchObject({ status: 'FAILED', totalCents: 4_800 });
    await recordHistory(client, workflowId, 'order-saga-declined-ui-metadata');

    // What the server stores, which is what the UI renders: summaries, memo, search attributes.
    const summaries = await activitySummaries(workflowId);
    expect(summaries).toEqual([
      { activity: 'createOrder', summary: expect.stringContaining(`Create order ${orderId}`) },
      { activity: 'reserveInventory', summary: expect.stringContaining('Reserve 3 item(s)') },
      {
        activity: 'chargePayment',
        summary: `Charge 48.00 to customer ${customerId} (key ${workflowId}:charge)`,
      },
      { activity: 'refundPayment', summary: expect.stringContaining(`${workflowId}:charge`) },
      {
        activity: 'releaseInventory',
        summary: `Release the 3 reserved item(s) of order ${orderId} back to stock`,
      },
      { activity: 'closeOrder', summary: expect.stringContaining('FAILED: PaymentDeclined') },
    ]);
    const description = await client.workflow.getHandle(workflowId).describe();
    const staticSummary = await description.staticSummary();
    expect(staticSummary).toBe(
      `Order ${orderId}: 3 item(s) (3 × ${sku}) for customer ${customerId}`,
    );
    expect(description.memo).toMatchObject({
      customerId,
      total: '48.00',
      outcome: { status: 'FAILED', failure: { type: 'PaymentDeclined' } },
      requestFingerprint: expect.any(String),
    });
    expect(description.searchAttributes).toMatchObject({
      OrderStatus: ['FAILED'],
      CustomerId: [customerId],
    });
    // Visibility is eventually consistent: the list must find it before the UI can.
    const query = `CustomerId="${customerId}"`;
    await waitUntil('the saga in the visibility store', async () =>
      (await client.workflow.count(query)).count === 1 ? true : undefined,
    );

    const page = await newPage();
    try {
      // The workflow list, filtered through the UI's own query input.
      await page.goto(`${uiBase}/namespaces/${namespace}/workflows`);
      await page.getByTestId('toggle-manual-query').click();
      const search = page.getByTestId('manual-search-input');
      await search.fill(query);
      await search.press('Enter');
      await page.waitForURL((url) => url.searchParams.get('query') === query);
      const rows = page.getByTestId('workflows-summary-configurable-table-row');
      const link = page.getByRole('link', { name: workflowId, exact: true });
      await link.waitFor();
      expect(await rows.count()).toBe(1); // only this customer's saga is left
      await page.screenshot({ path: `${ARTIFACTS}web-ui-list-filtered.png` });

      // The saga: history timeline with every step and compensation, by summary.
      await link.click();
      await page.waitForURL(/\/history$/);
      const timelineRow = (activity: string, summary: string) =>
        page.getByText(`${activity} • ${summary}`, { exact: true });
      await timelineRow(
        'releaseInventory',
        `Release the 3 reserved item(s) of order ${orderId} back to stock`,
      ).waitFor();
      await timelineRow('refundPayment', summaries[3]!.summary).waitFor();
      await timelineRow('chargePayment', summaries[2]!.summary).waitFor();
      const main = page.locator('main');
      await waitUntil('the typed failure in the result', async () =>
        (await main.innerText()).includes('"PaymentDeclined"') ? true : undefined,
      );
      const historyText = await main.innerText();
      expect(historyText).toContain('Activity Task Scheduled');
      for (const activity of ['releaseInventory', 'refundPayment', 'closeOrder'])
        expect(historyText).toContain(activity);
      await page.screenshot({ path: `${ARTIFACTS}web-ui-saga-history.png`, fullPage: true });
      if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') {
        // The README's: header, input and typed failure, and the whole timeline.
        await mkdir(path.dirname(DOCS_IMAGE), { recursive: true });
        await page.screenshot({
          path: DOCS_IMAGE,
          clip: { x: 0, y: 0, width: 1440, height: 1010 },
        });
      }

      // User metadata: the saga's summary and details, each step's summary, its current details.
      await page.getByTestId('user-metadata-tab').click();
      await page.waitForURL(/\/user-metadata$/);
      await page.getByText(`Charge 48.00 to customer ${customerId}`).first().waitFor();
      // Summary, details and current details are markdown, each rendered in its own iframe.
      await markdownContaining(page, staticSummary!);
      await markdownContaining(page, `charge key ${workflowId}:charge`);
      // The worker is still running, so the UI can ask the workflow for its current details.
      await markdownContaining(page, 'undone: refund → release-inventory');
      await page.screenshot({ path: `${ARTIFACTS}web-ui-saga-user-metadata.png` });

      // Memo: the order summary with the total the saga learnt and its outcome.
      await page.getByTestId('memo-tab').click();
      await waitUntil('the memo', async () =>
        (await main.innerText()).includes('"total": "48.00"') ? true : undefined,
      );
    } finally {
      await page.close();
    }
  });
});

describe('API docs (Swagger UI)', () => {
  it('runs GET /products from the docs page and shows the answer', async () => {
    const sku = await createProduct(7, 990);
    const server = createAdaptorServer({ fetch: app.fetch });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const page = await newPage();
    try {
      await page.goto(`http://127.0.0.1:${port}/docs`);
      const operation = page.locator('.opblock-get', {
        has: page.locator('.opblock-summary-path[data-path="/products"]'),
      });
      await operation.locator('.opblock-summary').click();
      // The page enables "Try it out" up front; click it where it does not.
      const tryOut = operation.locator('.try-out__btn');
      if ((await tryOut.count()) > 0 && /try it out/i.test(await tryOut.innerText()))
        await tryOut.click();
      await operation.locator('button.execute').click();
      const live = operation.locator('.live-responses-table');
      await live.locator('.response-col_status', { hasText: '200' }).first().waitFor();
      const body = live.locator('.response-col_description pre').first();
      await body.waitFor();
      expect(await body.innerText()).toContain(`"sku": "${sku}"`);
      expect(await operation.locator('.request-url').innerText()).toContain('/products');
      await page.screenshot({ path: `${ARTIFACTS}api-docs-try-it-out.png`, fullPage: true });
    } finally {
      await page.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
