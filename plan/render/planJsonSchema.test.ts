import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { prodEastEnginePlan, syntheticFleetPlan } from '../../testbed/support/planFixtures.js';
import { fleetPlanSchema, PLAN_SCHEMA_FILE, planJsonSchemaDocument } from './planJsonSchema.js';
import { renderPlan } from './renderPlan.js';

const projectDir = join(import.meta.dirname, '..', '..');

describe('plan JSON schema', () => {
  test(`${PLAN_SCHEMA_FILE} is what \`npm run docs:schemas\` generates`, () => {
    expect(readFileSync(join(projectDir, PLAN_SCHEMA_FILE), 'utf8')).toBe(planJsonSchemaDocument());
  });

  test('the example in docs/plan-json.md validates', () => {
    const doc = readFileSync(join(projectDir, 'docs/plan-json.md'), 'utf8');
    const example = /```json\n([\s\S]*?)\n```/.exec(doc)![1]!;
    expect(fleetPlanSchema.safeParse(JSON.parse(example)).error).toBeUndefined();
  });

  test('the JSON output of a plan validates', () => {
    for (const plan of [syntheticFleetPlan(), prodEastEnginePlan()]) {
      expect(fleetPlanSchema.safeParse(JSON.parse(renderPlan(plan, 'json', { color: false }))).error).toBeUndefined();
    }
  });

  test.each([
    ['schemaVersion', (p: any) => delete p.schemaVersion, ['schemaVersion']],
    ['a cluster capacity rule', (p: any) => delete p.clusters[0].capacity.rule, ['clusters', 0, 'capacity', 'rule']],
    ['a VM verdict', (p: any) => delete p.clusters[0].vms[0].verdict, ['clusters', 0, 'vms', 0, 'verdict']],
    ['a fix restartRequired', (p: any) => delete p.clusters[0].vms[0].fixes[0].restartRequired, ['clusters', 0, 'vms', 0, 'fixes', 0, 'restartRequired']],
  ])('a plan missing %s fails, naming the path', (_what, remove, path) => {
    const plan = JSON.parse(JSON.stringify(syntheticFleetPlan()));
    remove(plan);
    const parsed = fleetPlanSchema.safeParse(plan);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path)).toContainEqual(path);
  });

  test('an unknown grid cell fails, and an added field passes (adding a field keeps the version)', () => {
    const plan = JSON.parse(JSON.stringify(syntheticFleetPlan()));
    plan.clusters[0].newField = 1;
    expect(fleetPlanSchema.safeParse(plan).success).toBe(true);
    plan.clusters[0].grid.rows[0].cells['pc-q35-rhel10.0.0'] = 'maybe';
    expect(fleetPlanSchema.safeParse(plan).success).toBe(false);
  });
});
