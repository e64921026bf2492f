/** The one entry point `kvfleet plan` calls: a FleetPlan and a format in, the whole output out. No I/O. */
import { type FleetPlan } from '../planModel.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderTable } from './table.js';

export const PLAN_FORMATS = ['table', 'json', 'markdown', 'html'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface RenderOptions {
  /**
   * ANSI colour in the table output; ignored by the other formats. The CLI decides it
   * (`process.stdout.isTTY && !process.env.NO_COLOR`) so the renderer stays pure.
   */
  readonly color: boolean;
}

/** The plan in `format`, newline-terminated, ready for stdout or a file. */
export function renderPlan(plan: FleetPlan, format: PlanFormat, opts: RenderOptions): string {
  switch (format) {
    case 'table':
      return renderTable(plan, opts);
    case 'json':
      return renderJson(plan);
    case 'markdown':
      return renderMarkdown(plan);
    case 'html':
      return renderHtml(plan);
  }
}
