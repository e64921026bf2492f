import { describe, expect, it } from 'vitest';
import { type FailureEvent, failureCause, failureMessage } from './failureCause.js';
import { SimClock } from './simClock.js';

describe('failure classification', () => {
  it.each<[FailureEvent, string]>([
    [{ kind: 'unschedulable-timeout', pod: 'ns/p' }, 'unschedulable'],
    [{ kind: 'pending-timeout', pod: 'ns/p' }, 'unschedulable'],
    [{ kind: 'pending-timeout', pod: 'ns/p', boundTo: 'n2', nodeReady: false }, 'node-failure'],
    [{ kind: 'pending-timeout', pod: 'ns/p', boundTo: 'n2', nodeReady: true }, 'other'],
    [{ kind: 'incompatible-target', node: 'n2', machineType: 'pc-q35-rhel8.6.0' }, 'machine-type'],
    [{ kind: 'node-not-ready', node: 'n2', role: 'target' }, 'node-failure'],
    [{ kind: 'node-not-ready', node: 'n1', role: 'source' }, 'node-failure'],
    [{ kind: 'target-pod-gone', nodeReady: false }, 'node-failure'],
    [{ kind: 'target-pod-gone' }, 'other'],
    [{ kind: 'aborted' }, 'other'],
    [{ kind: 'vmi-gone' }, 'other'],
    [{ kind: 'not-eligible' }, 'other'],
    [{ kind: 'state-lost' }, 'other'],
  ])('%o → %s', (event, cause) => {
    expect(failureCause(event)).toBe(cause);
    expect(failureMessage(event)).not.toBe('');
  });

  it("uses KubeVirt's texts", () => {
    expect(failureMessage({ kind: 'unschedulable-timeout', pod: 'ns/virt-launcher-a-x' })).toBe('unschedulable pod ns/virt-launcher-a-x timeout period exceeded');
    expect(failureMessage({ kind: 'incompatible-target', node: 'n2', machineType: 'pc-q35-rhel8.6.0' })).toMatch(
      /^Live migration failed .*-machine pc-q35-rhel8\.6\.0: unsupported machine type/,
    );
  });
});

describe('SimClock', () => {
  it('converts simulated seconds to real milliseconds in one place', () => {
    let now = 1_000_000;
    const clock = new SimClock({ realMsPerSimSecond: 10, now: () => now });
    expect(clock.toRealMs(300)).toBe(3_000);
    expect(clock.toRealMs(-1)).toBe(0);
    now += 250;
    expect(clock.now()).toBe(25);
    expect(clock.simAt(clock.realAt(42))).toBe(42);
    expect(clock.timestamp()).toBe(new Date(1_000_250).toISOString());
  });

  it('refuses a scale that is not a positive number', () => {
    expect(() => new SimClock({ realMsPerSimSecond: 0 })).toThrow(/positive/);
  });

  it('sleeps in simulated time and wakes early on abort', async () => {
    const clock = new SimClock({ realMsPerSimSecond: 1 });
    const t0 = Date.now();
    await clock.sleep(20);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(15);
    const ac = new AbortController();
    const p = clock.sleep(10_000, ac.signal);
    ac.abort();
    await p;
  });
});
