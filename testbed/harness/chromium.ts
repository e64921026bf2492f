/**
 * Headless Chromium for browser suites (`*.chromium.test.ts`): Debian's `chromium` package, driven by
 * playwright-core, which never downloads a browser of its own (this machine's network would refuse it).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * The Chromium binary: `KVFLEET_CHROMIUM`, else Debian's.
 * @default '/usr/bin/chromium'
 */
export function chromiumPath(): string {
  return process.env.KVFLEET_CHROMIUM || '/usr/bin/chromium';
}

/**
 * Flags for a root user on a machine with no network: no sandbox (root), no GPU, and none of
 * Chromium's background connections (updates, sync, QUIC probes), which the closed network would
 * refuse many at a time and which a "no network request" assertion must not see.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless browser; the caller closes it. Throws with the way to install Chromium when it is missing. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath} (set KVFLEET_CHROMIUM to use another binary); run 'bash testbed/tools.sh ensure', which installs Debian's chromium`,
    );
  }
  // playwright-core creates and removes a fresh, empty profile directory per launch.
  return chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
}
