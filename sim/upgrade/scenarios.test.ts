import { expect, test } from 'vitest';
import { DEFAULT_SCENARIO, resultsNames, SCENARIO_NAMES, SCENARIOS, scenarioArgument, scenarioDefinition } from './scenarios.js';

test('each scenario this simulator runs builds a scenario of its own name', () => {
  for (const name of SCENARIO_NAMES) {
    const entry = SCENARIOS[name];
    if ('build' in entry) expect(entry.build(1, 'small').name).toBe(name);
  }
  expect(DEFAULT_SCENARIO).toBe('kubevirt-upgrade');
});

test('an unknown scenario is refused with the list', () => {
  expect(() => scenarioDefinition('kube-ovn-typo')).toThrow(/unknown scenario "kube-ovn-typo"; the scenarios are kubevirt-upgrade, mixed-arch/);
});

test.each([
  ['kubevirt-upgrade', 1, '6x60', '1-6x60.json', 'upgrade-sim.svg'],
  ['kubevirt-upgrade', 1, 'full', '1.json', 'upgrade-sim.svg'],
  ['mixed-arch', 1, '6x60', 'mixed-arch-1-6x60.json', 'upgrade-sim-mixed-arch.svg'],
  ['mixed-arch', 3, 'full', 'mixed-arch-3.json', 'upgrade-sim-mixed-arch.svg'],
])('%s seed %d size %s → %s, %s (the default keeps its old names)', (scenario, seed, size, json, svg) => {
  expect(resultsNames(scenario, seed, size)).toEqual({ json, svg });
});

test.each([
  [['--seed', '1'], undefined],
  [['--scenario', 'mixed-arch', '--seed', '1'], 'mixed-arch'],
  [['--seed', '2', '--scenario=kube-ovn'], 'kube-ovn'],
  [['--scenario'], undefined],
])('scenarioArgument(%j) = %s', (argv, name) => {
  expect(scenarioArgument(argv)).toBe(name);
});
