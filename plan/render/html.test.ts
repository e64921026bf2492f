import { describe, expect, test } from 'vitest';
import { fleetPlanOf, labClusterPlan, prodEastClusterPlan, syntheticFleetPlan } from '../../testbed/support/planFixtures.js';
import { esc, PLAN_HTML_CSP } from './html.js';
import { renderPlan } from './renderPlan.js';

const plan = syntheticFleetPlan();
const html = renderPlan(plan, 'html', { color: true });

describe('html output', () => {
  test('is one self-contained document: a CSP that forbids loads, and nothing that would load', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${esc(PLAN_HTML_CSP)}">`);
    expect(PLAN_HTML_CSP).toMatch(/^default-src 'none';/);
    for (const loader of [/<script/i, /<link/i, /<img/i, /<iframe/i, /\ssrc=/i, /\shref=/i, /url\(/i, /@import/i]) expect(html).not.toMatch(loader);
  });

  test('names from a cluster are escaped everywhere', () => {
    expect(html).not.toContain('<cache>');
    expect(html).not.toContain('<script>');
    expect(html).toContain(esc('lab/build<cache>&"x"|y'));
    expect(esc(`<a href="x" title='y'>&</a>`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });

  test('the grid has one cell per pool and machine type, carrying the cell from the plan', () => {
    const cells = [
      ...html.matchAll(
        /<td class="cell[^"]*" data-pool="([^"]*)" data-machine-type="([^"]*)" data-cell="([^"]*)"[^>]*>([^<]*<span[^>]*>[^<]*<\/span>)? ?([a-z]+)<\/td>/g,
      ),
    ];
    const expected = plan.clusters.flatMap((c) => c.grid.rows.flatMap((r) => c.grid.machineTypes.map((t) => [esc(r.pool), esc(t), r.cells[t] ?? 'absent'])));
    const key = (a: readonly unknown[]) => a.join(' ');
    expect(cells.map((m) => key([m[1], m[2], m[3]])).sort()).toEqual(expected.map(key).sort());
    // The word is there too, so the grid reads without colour.
    for (const m of cells) expect(m[5]).toBe(m[3]);
  });

  test('the legend names every kind of cell', () => {
    for (const cell of ['supported', 'deprecated', 'dropped', 'added', 'absent']) expect(html).toContain(`<span class="cell cell-${cell} swatch">`);
  });

  test('stranded and at-risk VMs are listed with their fixes; ok VMs are not listed by name', () => {
    const c = prodEastClusterPlan();
    for (const vm of c.vms.filter((v) => v.verdict === 'stranded')) {
      expect(html).toContain(`data-vm="${esc(`${vm.namespace}/${vm.name}`)}" data-verdict="stranded"`);
      for (const f of vm.fixes) expect(html).toContain(esc(f.text));
    }
    for (const vm of c.vms.filter((v) => v.verdict === 'ok')) expect(html).not.toContain(`${vm.namespace}/${vm.name}`);
    expect(html).toContain('restart required</span>');
  });

  test('an overcommitted pool is marked, and the capacity rule is stated', () => {
    const lab = labClusterPlan();
    const over = lab.capacity.pools.find((p) => p.overcommitted)!;
    expect(html).toContain(`data-step="${over.step}" data-pool="${over.pool}" data-overcommitted>`);
    expect(html.match(/data-overcommitted/g)).toHaveLength(plan.clusters.flatMap((c) => c.capacity.pools.filter((p) => p.overcommitted)).length);
    expect(html).toContain(esc(lab.capacity.rule));
  });

  test('the title names the cluster when there is one', () => {
    expect(renderPlan(fleetPlanOf([prodEastClusterPlan()]), 'html', { color: false })).toContain('<title>kvfleet plan: prod-east</title>');
    expect(html).toContain(`<title>kvfleet plan: ${plan.clusters.length} clusters</title>`);
  });
});
