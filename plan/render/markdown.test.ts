/**
 * The Markdown goldens: plan/render/__golden__/prod-east.md is the Markdown of the engine's plan of
 * clusters/prod-east.ts on the shared example inventory (testbed/support/planInventories.ts: steps that
 * change no machine type), legacy-apps.md that of clusters/legacy-apps.ts before its CS10 launcher
 * switch (stranded VMs, patches, held steps), compared byte for byte. It changes when the renderer or the engine changes what it says. After an intended change to the wording or the layout, regenerate it with
 *   UPDATE_GOLDEN=1 npx vitest run plan/render/markdown.test.ts
 * and review the diff of the .md file like any other change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { fleetPlanOf, labClusterPlan, legacyAppsEnginePlan, prodEastEnginePlan, syntheticFleetPlan } from '../../testbed/support/planFixtures.js';
import { code, md } from './markdown.js';
import { renderPlan } from './renderPlan.js';

const golden = (name: string) => join(import.meta.dirname, '__golden__', `${name}.md`);

describe('markdown output', () => {
  test.each([
    ['prod-east', prodEastEnginePlan],
    ['legacy-apps', legacyAppsEnginePlan],
  ])('matches the golden file for %s (UPDATE_GOLDEN=1 rewrites it)', (name, plan) => {
    const rendered = renderPlan(plan(), 'markdown', { color: false });
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden(name), rendered);
    expect(rendered).toBe(readFileSync(golden(name), 'utf8'));
  });

  test('opens with one summary line per cluster, before any table', () => {
    const plan = syntheticFleetPlan();
    const lines = renderPlan(plan, 'markdown', { color: false }).split('\n');
    plan.clusters.forEach((c, i) => {
      const planned = c.steps.length - 1;
      const tail = planned === 0 ? 'across no planned step' : `across ${planned} planned step${planned === 1 ? '' : 's'}`;
      expect(lines[2 * i]).toBe(
        `**${c.cluster}**: ${c.counts.stranded} stranded, ${c.counts['at-risk']} at-risk, ${c.counts.deprecated} deprecated, ${c.counts.ok} ok ${tail}`,
      );
    });
    expect(lines.findIndex((l) => l.startsWith('|'))).toBeGreaterThan(2 * plan.clusters.length);
  });

  test('a name with markup or a pipe cannot break a table or inject HTML', () => {
    const out = renderPlan(fleetPlanOf([labClusterPlan()]), 'markdown', { color: false });
    // Outside code spans (whose content GFM shows literally) every `<` is escaped.
    const outsideCode = out.replace(/(`+)[^`]*?\1/g, '');
    expect(outsideCode).toContain('\\<script\\>');
    expect(outsideCode).not.toMatch(/(?<!\\)</);
    expect(out).toContain('`lab/build<cache>&"x"\\|y`');
    const header = out.split('\n').find((l) => l.startsWith('| Verdict'))!;
    const row = out.split('\n').find((l) => l.includes('build'))!;
    const cellCount = (line: string) => line.split(/(?<!\\)\|/).length;
    expect(cellCount(row)).toBe(cellCount(header));
  });

  test.each([
    ['plain', 'pc-q35-rhel9.6.0', '`pc-q35-rhel9.6.0`'],
    ['a backtick inside', 'a`b', '``a`b``'],
    ['a pipe', 'a|b', '`a\\|b`'],
  ])('code spans: %s', (_name, input, expected) => {
    expect(code(input)).toBe(expected);
  });

  test('plain text escapes emphasis, HTML and entities', () => {
    expect(md('*a* _b_ <i> &amp;')).toBe('\\*a\\* \\_b\\_ \\<i\\> \\&amp;');
  });
});
