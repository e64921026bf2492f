import { stripVTControlCharacters } from 'node:util';
import { describe, expect, test } from 'vitest';
import { labClusterPlan, prodEastClusterPlan, legacyAppsEnginePlan, syntheticFleetPlan } from '../../testbed/support/planFixtures.js';
import { renderPlan } from './renderPlan.js';
import { RESTART_NOTE } from './wording.js';

const plan = syntheticFleetPlan();
const plain = renderPlan(plan, 'table', { color: false });
const coloured = renderPlan(plan, 'table', { color: true });
const lines = plain.split('\n');
/** The start of every ANSI escape sequence. */
const ESC = '\u001b[';

describe('table output', () => {
  test('colour is off unless asked for, and colour changes nothing but escape codes', () => {
    expect(plain).not.toContain(ESC);
    expect(coloured).toContain(`${ESC}31m`); // red: prod-east has stranded VMs
    expect(stripVTControlCharacters(coloured)).toBe(plain);
  });

  test('each cluster opens with its name, KubeVirt version and inventory source', () => {
    for (const c of plan.clusters) {
      const at = lines.indexOf(c.cluster);
      expect(at).toBeGreaterThanOrEqual(0);
      expect(lines[at + 1]).toContain(`KubeVirt ${c.kubevirtVersion}`);
      expect(lines[at + 1]).toContain(c.inventory!.source);
    }
  });

  test('stranded VMs come before deprecated ones, and ok VMs only as a count', () => {
    const c = prodEastClusterPlan();
    const firstStranded = lines.findIndex((l) => l.includes(c.vms.find((v) => v.verdict === 'stranded')!.name));
    const firstDeprecated = lines.findIndex((l) => l.includes(c.vms.find((v) => v.verdict === 'deprecated')!.name));
    expect(firstStranded).toBeGreaterThan(0);
    expect(firstStranded).toBeLessThan(firstDeprecated);
    for (const ok of c.vms.filter((v) => v.verdict === 'ok')) expect(plain).not.toContain(`${ok.namespace}/${ok.name} `);
    expect(plain).toContain(`${c.counts.ok} VMs are ok`);
  });

  test('every fix is listed under its VM, and a type change says a restart is needed', () => {
    const vm = prodEastClusterPlan().vms.find((v) => v.fixes.length === 2)!;
    const row = lines.findIndex((l) => l.includes(`${vm.namespace}/${vm.name}`));
    expect(lines[row + 2]).toBe(`      1. ${vm.fixes[0]!.text} (${RESTART_NOTE})`);
    expect(lines[row + 3]).toBe(`      2. ${vm.fixes[1]!.text}`);
    expect(RESTART_NOTE).toMatch(/^restart required/);
  });

  test("the engine's restart fixes say restart once, whether or not the engine's text does", () => {
    const engine = legacyAppsEnginePlan();
    const text = renderPlan(engine, 'table', { color: false });
    const restartFixes = engine.clusters.flatMap((c) => c.vms.flatMap((v) => v.fixes.filter((f) => f.kind === 'restart-onto-newer-type')));
    expect(restartFixes.length).toBeGreaterThan(0);
    for (const f of restartFixes) {
      const line = text.split('\n').find((l) => l.includes(f.text))!;
      expect(line).toMatch(/restart/i);
      expect(line.split(RESTART_NOTE).length).toBeLessThanOrEqual(2);
    }
  });

  test('pool columns line up: each column starts at the same offset in every row', () => {
    const head = lines.findIndex((l) => l.trim().startsWith('POOL '));
    const rows = lines.slice(head, head + 1 + prodEastClusterPlan().pools.length);
    const archAt = rows[0]!.indexOf('ARCHITECTURE');
    for (const [i, row] of rows.slice(1).entries()) expect(row.slice(archAt)).toMatch(new RegExp(`^${prodEastClusterPlan().pools[i]!.architecture} `));
  });

  test('capacity states the rule and flags exactly the overcommitted pools', () => {
    expect(plain).toContain(`Rule: ${labClusterPlan().capacity.rule}`);
    const flagged = lines.filter((l) => l.endsWith('OVERCOMMITTED')).map((l) => l.trim().split(/\s+/)[1]);
    const expected = plan.clusters.flatMap((c) => c.capacity.pools.filter((p) => p.overcommitted).map((p) => p.pool));
    expect(flagged).toEqual(expected);
  });

  test('unmatched nodes, label mismatches and inventory problems are warnings', () => {
    const warnings = lines.filter((l) => l.trim().startsWith('warning:'));
    expect(warnings).toHaveLength(
      plan.clusters.reduce((n, c) => n + c.unmatchedNodes.length + c.labelMismatches.length + (c.vmWarnings?.length ?? 0) + (c.inventory?.problems.length ?? 0), 0),
    );
    expect(warnings.some((w) => w.includes('gpu-node-01'))).toBe(true);
  });

  test('a patch for an Argo CD-owned VM shows the merge patch to commit', () => {
    const p = prodEastClusterPlan().patches[0]!;
    expect(plain).toContain(JSON.stringify(p.mergePatch));
    expect(plain).toContain(`${p.argoCdApplication}: VirtualMachine ${p.namespace}/${p.name}`);
  });

  test('the fleet line sums the clusters when there is more than one', () => {
    expect(lines.at(-2)).toBe(`Fleet: ${plan.counts.stranded} stranded, ${plan.counts['at-risk']} at-risk, ${plan.counts.deprecated} deprecated, ${plan.counts.ok} ok`);
    expect(plain.endsWith('\n')).toBe(true);
  });
});

describe('json output', () => {
  test('is the FleetPlan as it is, schemaVersion first', () => {
    const json = renderPlan(plan, 'json', { color: true });
    expect(JSON.parse(json)).toEqual(plan);
    expect(json.split('\n')[1]).toBe(`  "schemaVersion": "${plan.schemaVersion}",`);
    expect(json).not.toContain(ESC);
  });
});
