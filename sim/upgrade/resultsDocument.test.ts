import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { rederived, renderReport, type ResultsDocument } from './resultsDocument.js';

const read = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'results', name), 'utf8')) as ResultsDocument;

test('a results file from before the scenarios reads back as kubevirt-upgrade, with what it lacks derived and no row it did not record', () => {
  const stored = read('1-6x60.json');
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
