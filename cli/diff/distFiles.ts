/** Reads a synthesised output folder into `<cluster>/<file>` → text, the input of distTree.ts. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Undefined when the folder does not exist (a repository that does not commit dist/). */
export function readDistFiles(dir: string): Map<string, string> | undefined {
  if (!existsSync(dir)) return undefined;
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    // Dot-folders are synth's own staging and previous copies, never delivered.
    if (path.split('/').some((part) => part.startsWith('.'))) continue;
    out.set(path, readFileSync(join(dir, path), 'utf8'));
  }
  return out;
}
