import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { rederived, renderReport, type ResultsDocument } from './resultsDocument.js';

/** A results file as the simulator wrote it before scenarios had names (commit aa25915), kept as it was. */
const readBeforeScenarios = () =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../../test/golden/simulator/upgrade-1-6x60-before-scenarios.json'), 'utf8')) as ResultsDocument;

test('a results file from before the scenarios reads back as kubevirt-upgrade, with what it lacks derived and no row it did not record', () => {
  const stored = readBeforeScenarios();
  expect(stored.scenario.name).toBeUndefined();
  expect(stored.results.every((r) => r.outdatedHeld === undefined)).toBe(true);
  const doc = rederived(stored);
  // The held count follows from the plan's holds and the VMIs each run left outdated.
  const holds = new Set(stored.plan.holds);
  for (const r of doc.results) {
    const run = stored.runs.find((x) => x.mode === r.mode)!;
    expect(r.outdatedHeld).toBe(run.outdatedAtEnd.filter((v) => holds.has(`${v.namespace}/${v.name}`)).length);
  }
  const text = renderReport(doc);
  expect(text).toContain('Upgrade simulator, scenario kubevirt-upgrade, seed 1');
  expect(text).not.toContain('target pods');
  expect(text).toMatch(/- tie: time to a fully updated cluster \(never vs never\): the 1 VM kvfleet plan could only hold/);
});
