/**
 * Headless Debian Chromium for the browser tests, driven by playwright-core (never a browser download).
 * `.ci/run` installs /usr/bin/chromium; on a machine without it the browser tests skip and the closing
 * summary line says so (tests/summary-reporter.ts).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Whether the browser tests can run here; under CI a missing Chromium is an error, not a skip. */
export function chromiumAvailable(): boolean {
  const ok = existsSync(CHROMIUM);
  if (!ok && process.env['CI']) throw new Error(`browser tests need ${CHROMIUM} (.ci/run installs it)`);
  return ok;
}

/** A headless Chromium with a fresh profile and no background network traffic (the machine's network is closed). */
export function launchChromium(viewport = { width: 1400, height: 1100 }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'evsynth-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
