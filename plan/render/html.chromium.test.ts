/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core; testbed/harness/chromium.ts):
 * it loads nothing, renders one grid per cluster with the plan's cells, fits 1280 px and screenshots.
 * Set PLAN_SCREENSHOT_DIR to keep the screenshot (plan-report.png) for a look.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import legacyApps from '../../clusters/legacy-apps.js';
import { finalSet, resolvePools } from '../../compatibility/poolMachineTypes.js';
import { launchChromium } from '../../testbed/harness/chromium.js';
import { fleetPlanOf, legacyAppsEnginePlan, prodEastEnginePlan } from '../../testbed/support/planFixtures.js';
import { renderPlan } from './renderPlan.js';

// prod-east (steps that change no machine type) and legacy-apps (a CS10 launcher step that drops types).
const plan = fleetPlanOf([...prodEastEnginePlan().clusters, ...legacyAppsEnginePlan().clusters]);
let browser: Browser;
let page: Page;
let work: string;
let pageUrl: string;
const requests: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'kvfleet-plan-html-'));
  const file = join(work, 'plan.html');
  writeFileSync(file, renderPlan(plan, 'html', { color: false }));
  pageUrl = pathToFileURL(file).href;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Every request is counted; only the page itself may load, anything else is refused.
  page.on('request', (r) => requests.push(r.url()));
  await page.route('**/*', (route) => (route.request().url() === pageUrl ? route.continue() : route.abort()));
  await page.goto(pageUrl, { waitUntil: 'load' });
});

afterAll(async () => {
  await browser?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the HTML plan report in Chromium', () => {
  test('loads nothing but itself', () => {
    expect(requests).toEqual([pageUrl]);
  });

  test('renders a title and one grid per cluster', async () => {
    expect(await page.title()).toBe(`kvfleet plan: ${plan.clusters.length} clusters`);
    expect(await page.locator('table[data-grid]').count()).toBe(plan.clusters.length);
    expect(await page.locator('section.cluster h2').allTextContents()).toEqual(plan.clusters.map((c) => c.cluster));
  });

  test("prod-east's grid shows each pool × type cell of the plan, with the word in the cell", async () => {
    const c = plan.clusters.find((x) => x.cluster === 'prod-east')!;
    const shown = await page
      .locator('section[data-cluster="prod-east"] td[data-cell]')
      .evaluateAll((tds) =>
        tds.map((td) => `${td.getAttribute('data-pool')} ${td.getAttribute('data-machine-type')} ${td.getAttribute('data-cell')} ${td.textContent?.trim()}`),
      );
    const expected = c.grid.rows.flatMap((r) => c.grid.machineTypes.map((t) => `${r.pool} ${t} ${r.cells[t] ?? 'absent'}`));
    expect(shown.map((s) => s.split(' ').slice(0, 3).join(' ')).sort()).toEqual(expected.sort());
    for (const s of shown) expect(s.split(' ').at(-1)).toBe(s.split(' ')[2]);
  });

  test("the types legacy-apps' CS10 launcher takes from rhel96 show as dropped, the ones it brings as added", async () => {
    // Computed from the definition, not from the plan: the set after the last step against the current one.
    const pool = resolvePools(legacyApps).find((p) => p.name === 'rhel96')!;
    const after = new Set(finalSet(pool).supported);
    const dropped = pool.current.supported.filter((t) => !after.has(t));
    const added = finalSet(pool).supported.filter((t) => !pool.current.supported.includes(t));
    expect(dropped).toContain('pc-q35-rhel8.6.0');
    expect(added).toContain('pc-q35-rhel10.2.0');
    const cellOf = (t: string) => page.locator(`section[data-cluster="legacy-apps"] td[data-pool="rhel96"][data-machine-type="${t}"]`);
    for (const t of dropped) {
      await expect.poll(() => cellOf(t).getAttribute('data-cell')).toBe('dropped');
      expect(await cellOf(t).getAttribute('title')).toContain('removed by a planned launcher step');
    }
    for (const t of added) expect(await cellOf(t).getAttribute('data-cell')).toBe('added');
  });

  test('dropped and supported cells look different, and the legend explains them', async () => {
    // legacy-apps has the dropped cells, prod-east (nothing dropped, types kept) the supported ones.
    const bg = (cell: string) =>
      page
        .locator(`td[data-cell="${cell}"]`)
        .first()
        .evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundImage + (globalThis as any).getComputedStyle(el).backgroundColor);
    expect(await bg('dropped')).not.toBe(await bg('supported'));
    expect(await page.locator('section[data-cluster="prod-east"] .legend li').count()).toBe(5);
  });

  test('fits a 1280 px window without sideways scrolling', async () => {
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1280);
  });

  test('takes a full-page PNG screenshot', async () => {
    const png = await page.screenshot({ fullPage: true });
    writeFileSync(join(work, 'plan-report.png'), png);
    if (process.env.PLAN_SCREENSHOT_DIR) {
      mkdirSync(process.env.PLAN_SCREENSHOT_DIR, { recursive: true });
      writeFileSync(join(process.env.PLAN_SCREENSHOT_DIR, 'plan-report.png'), png);
    }
    expect([...readFileSync(join(work, 'plan-report.png')).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(30_000);
  });
});
