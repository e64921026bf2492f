/**
 * Reads what `kvfleet diff` compares: the matrix ConfigMap of each cluster at a git base and in the
 * working tree, and the list of dist/ files that changed. The comparison itself is pure
 * (policies/matrixDiff.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { MATRIX_CONFIGMAP_KEY, MATRIX_CONFIGMAP_NAME, type MatrixDocument, parseMatrixDocument } from '../policies/matrixDocument.js';

const MATRIX_FILE = `ConfigMap.${MATRIX_CONFIGMAP_NAME}.yaml`;

export interface DistFileChange {
  readonly status: 'added' | 'removed' | 'modified';
  /** Path inside dist/: `<cluster>/<Kind>.<name>.yaml`. */
  readonly path: string;
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function matrixFromConfigMap(text: string, where: string): MatrixDocument {
  const cm = parse(text) as { data?: Record<string, string> };
  const parsed = parseMatrixDocument(cm?.data?.[MATRIX_CONFIGMAP_KEY] ?? '');
  if (!parsed.ok) throw new Error(`${where}: ${parsed.message}`);
  return parsed.matrix;
}

export function clustersAtBase(repo: string, base: string, distDir: string): string[] {
  const rel = relative(repo, distDir);
  try {
    return git(repo, ['ls-tree', '--name-only', `${base}:${rel}`])
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // no dist/ at the base: every cluster is new
  }
}

export function matrixAtBase(repo: string, base: string, distDir: string, cluster: string): MatrixDocument | undefined {
  const path = `${relative(repo, distDir)}/${cluster}/${MATRIX_FILE}`;
  let text: string;
  try {
    text = git(repo, ['show', `${base}:${path}`]);
  } catch {
    return undefined;
  }
  return matrixFromConfigMap(text, `${base}:${path}`);
}

export function matrixInTree(distDir: string, cluster: string): MatrixDocument | undefined {
  const file = join(distDir, cluster, MATRIX_FILE);
  return existsSync(file) ? matrixFromConfigMap(readFileSync(file, 'utf8'), file) : undefined;
}

export function clustersInTree(distDir: string): string[] {
  return existsSync(distDir)
    ? readdirSync(distDir)
        .filter((f) => !f.startsWith('.'))
        .sort()
    : [];
}

/** dist/ files that differ between the base and the working tree (untracked ones included). */
export function changedDistFiles(repo: string, base: string, distDir: string): DistFileChange[] {
  const rel = relative(repo, distDir);
  const status: Record<string, DistFileChange['status']> = { A: 'added', D: 'removed', M: 'modified' };
  const tracked = git(repo, ['diff', '--name-status', '--no-renames', base, '--', rel])
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'))
    .map(([s, p]) => ({ status: status[s![0]!] ?? 'modified', path: relative(rel, p!) }));
  const untracked = git(repo, ['ls-files', '--others', '--exclude-standard', '--', rel])
    .split('\n')
    .filter(Boolean)
    .map((p) => ({ status: 'added' as const, path: relative(rel, p) }));
  return [...tracked, ...untracked].sort((a, b) => (a.path < b.path ? -1 : 1));
}
