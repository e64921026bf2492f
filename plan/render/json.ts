/**
 * `kvfleet plan --format json`: the FleetPlan as it is, so the JSON and the model cannot drift apart.
 * Its shape is documented in docs/plan-json.md and docs/schemas/plan-v2.schema.json (plan/render/planJsonSchema.ts).
 */
import { type FleetPlan } from '../planModel.js';

/** Two-space indented JSON of the plan, newline-terminated; key order is the model's, which the engine builds deterministically. */
export function renderJson(plan: FleetPlan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}
