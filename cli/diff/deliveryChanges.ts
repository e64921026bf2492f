/**
 * What a change does to delivery (`dist/_argocd/`): which cluster moves to which rollout stage, which
 * destinations and charts change, how the RollingSync steps change, and the AppProjects. Pure.
 */
import { type DistObject } from './distTree.js';
import { isRecord } from '../../compatibility/guards.js';
import { compactValue, type FieldChange, fieldChanges } from './fieldChanges.js';
import { type DeliveryElementChange, type FleetDeliveryDiff } from './fleetDiffModel.js';

type Element = Record<string, unknown>;

/** The list generator's elements, by `cluster` (and `component` for the charts ApplicationSet). */
function elementsOf(o: DistObject | undefined): Map<string, Element> {
  const generators = (o?.body as { spec?: { generators?: { list?: { elements?: unknown[] } }[] } } | undefined)?.spec?.generators ?? [];
  const out = new Map<string, Element>();
  for (const e of generators.flatMap((g) => g.list?.elements ?? [])) {
    if (!isRecord(e)) continue;
    const cluster = String(e.cluster ?? '');
    out.set(typeof e.component === 'string' ? `${cluster}/${e.component}` : cluster, e);
  }
  return out;
}

/** A RollingSync step in words: the stages it matches, and its maxUpdate when it sets one. */
function stepText(step: unknown): string {
  const s = isRecord(step) ? step : {};
  const match = Array.isArray(s.matchExpressions) ? s.matchExpressions : [];
  const values = match.flatMap((m) => (isRecord(m) && Array.isArray(m.values) ? m.values.map(String) : []));
  const label = values.length > 0 ? values.join(', ') : compactValue(match);
  return s.maxUpdate !== undefined ? `${label} (maxUpdate ${String(s.maxUpdate)})` : label;
}

function stepsOf(o: DistObject | undefined): string[] {
  const steps = (o?.body as { spec?: { strategy?: { rollingSync?: { steps?: unknown[] } } } } | undefined)?.spec?.strategy?.rollingSync?.steps ?? [];
  return steps.map(stepText);
}

/** The spec without what this module reports in words (elements, steps), so nothing is said twice. */
function restOf(o: DistObject | undefined): unknown {
  if (!o) return undefined;
  if (o.kind !== 'ApplicationSet' || !isRecord(o.body)) return o.body;
  const body = structuredClone(o.body) as { spec?: { generators?: unknown; strategy?: { rollingSync?: unknown } } };
  delete body.spec?.generators;
  delete body.spec?.strategy?.rollingSync;
  return body;
}

export function deliveryChanges(before: readonly DistObject[], after: readonly DistObject[]): FleetDeliveryDiff {
  const b = new Map(before.map((o) => [o.key, o]));
  const a = new Map(after.map((o) => [o.key, o]));
  const elements: DeliveryElementChange[] = [];
  const rolloutSteps: FleetDeliveryDiff['rolloutSteps'][number][] = [];
  const objects: FleetDeliveryDiff['objects'][number][] = [];
  for (const key of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const ob = b.get(key);
    const oa = a.get(key);
    const o = (oa ?? ob)!;
    if (o.kind === 'ApplicationSet') {
      const eb = elementsOf(ob);
      const ea = elementsOf(oa);
      for (const element of [...new Set([...eb.keys(), ...ea.keys()])].sort()) {
        const fields = fieldChanges(eb.get(element), ea.get(element), { leaves: true });
        if (fields.length === 0) continue;
        elements.push({
          applicationSet: o.name,
          element,
          cluster: element.split('/')[0]!,
          change: !eb.has(element) ? 'added' : !ea.has(element) ? 'removed' : 'changed',
          fields,
        });
      }
      const sb = stepsOf(ob);
      const sa = stepsOf(oa);
      if (sb.join('\0') !== sa.join('\0')) rolloutSteps.push({ applicationSet: o.name, before: sb, after: sa });
    }
    const changes: FieldChange[] = fieldChanges(restOf(ob), restOf(oa));
    if (ob && oa && changes.length === 0) continue;
    if (ob && oa) objects.push({ object: key, change: 'changed', fields: changes.map((c) => c.path), changes });
    else objects.push({ object: key, change: ob ? 'removed' : 'added', fields: [], changes: [] });
  }
  return { elements, rolloutSteps, objects };
}
