/**
 * Maps of Kubernetes labels in a definition (a pool's nodeSelector, a MigrationPolicy's selectors,
 * the alerts' selector labels): the one place their keys and values are checked. Every key and value
 * as the API server checks labels, no value YAML would read as a number, and none of the names every
 * JavaScript object inherits as a key: `constructor` makes cdk8s refuse to write the object ("can't
 * render non-simple object", cdk8s lib/_util.js sanitizeValue reads `obj.constructor.name`), and
 * code that looks a key up (`labels[k]`, `k in labels`) finds the inherited property instead.
 */
import * as z from 'zod';
import { isValidLabelValue, labelKeyProblem } from '../compatibility/labelKeys.js';
import { type FieldInfo, fieldInfo, type Finding, readsAsYamlNumber, report, yamlNumberFinding } from './clusterSchemaFields.js';
import { isRecord } from '../compatibility/guards.js';
import { PROTOTYPE_NAMES } from './definitionData.js';
import { formatValue } from './definitionValue.js';

type Ctx = z.core.$RefinementCtx;

/** Why `key` cannot be a label key of a definition, or undefined. */
export function labelKeyFinding(key: string): Finding | undefined {
  if (PROTOTYPE_NAMES.has(key)) {
    return {
      problem: `${formatValue(key)} is the name of a property every JavaScript object inherits (Object.prototype.${key}), which kvfleet cannot hold as a label key: cdk8s would refuse to write it and lookups would find the inherited property`,
      fix: `use a prefixed key, e.g. "example.com/${key}"`,
    };
  }
  const why = labelKeyProblem(key);
  if (why) {
    return {
      problem: `${formatValue(key)} is not a valid label key: ${why}`,
      fix: 'use [prefix/]name: an optional DNS-subdomain prefix of at most 253 characters, a name of at most 63 of [A-Za-z0-9._-]',
    };
  }
  return readsAsYamlNumber(key) ? yamlNumberFinding(key) : undefined;
}

/** Why `value` cannot be a label value, or undefined. */
export function labelValueFinding(value: string): Finding | undefined {
  if (readsAsYamlNumber(value)) return yamlNumberFinding(value);
  if (isValidLabelValue(value)) return undefined;
  return {
    problem: `${formatValue(value)} is not a valid label value`,
    fix: 'use at most 63 characters of [A-Za-z0-9._-], starting and ending with a letter or digit (or "")',
  };
}

/** Every key and value of `labels`, each problem at its key; `more` adds the map's own rules. */
function labelRules(more?: (labels: Readonly<Record<string, unknown>>, ctx: Ctx) => void) {
  return (labels: Readonly<Record<string, unknown>>, ctx: Ctx): void => {
    for (const [key, value] of Object.entries(labels)) {
      const keyFinding = labelKeyFinding(key);
      if (keyFinding) report(ctx, keyFinding, [key]);
      const valueFinding = typeof value === 'string' ? labelValueFinding(value) : undefined; // zod reported a non-string
      if (valueFinding) report(ctx, valueFinding, [key]);
    }
    more?.(labels, ctx);
  };
}

/** A map of labels described by `info`; `more` checks what this map needs beyond labels (a selector's pool rules). */
export function labelMapSchema(info: FieldInfo, more?: (labels: Readonly<Record<string, unknown>>, ctx: Ctx) => void) {
  return z
    .record(z.string(), z.string().register(fieldInfo, { expected: 'a label value (a string)', fix: 'quote the value: label values are strings, e.g. "true" or "8"' }))
    .superRefine(labelRules(more), { when: (p) => isRecord(p.value) })
    .readonly()
    .register(fieldInfo, info);
}
