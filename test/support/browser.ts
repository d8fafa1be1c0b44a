import { chromium, type Browser } from 'playwright-core';
import { provision } from '../../harness/support/process-control.js';

/**
 * Flags for a headless chromium on a machine without internet access: no sandbox (we run as root),
 * no GPU, and nothing that phones home (QUIC, first-run pages, component updates, sync).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Debian's chromium driven by playwright-core, headless. `harness/stack/provision.sh chromium` installs it
 * (apt-get, as root) when it is missing; no browser is downloaded from anywhere else. Each launch
 * gets a fresh throwaway profile (playwright-core's own `--user-data-dir`, removed on close).
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await provision('chromium');
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}
