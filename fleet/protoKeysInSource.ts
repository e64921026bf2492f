/**
 * Finds `__proto__: …` written in an object literal of a definition file. JavaScript does not make
 * it a key: it sets the new object's prototype, or, for a string value, does nothing at all, so
 * `nodeSelector: { __proto__: 'x' }` loses its entry without a trace in the loaded object. Only the
 * source still shows it; this reads the source (TypeScript's own parser) and says where, with the
 * field path when the literal sits inside the exported definition. Pure.
 */
import ts from 'typescript';
import { type SourceLocation } from './definitionError.js';

export interface ProtoKeyInSource {
  readonly location: SourceLocation;
  /** `nodePools[0].nodeSelector`: the literal holding the key, when it is reached from the export; `''` otherwise. */
  readonly path: string;
}

/** Every non-computed `__proto__` property of an object literal in `source` (a quick text check skips the parse). */
export function protoKeysInSource(source: string, fileName: string): ProtoKeyInSource[] {
  if (!source.includes('__proto__')) return [];
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ProtoKeyInSource[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) && node.name.text === '__proto__') {
      const { line, character } = file.getLineAndCharacterOfPosition(node.name.getStart(file));
      found.push({ location: { line: line + 1, column: character + 1 }, path: pathOf(node.parent) });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The field path of an object literal inside `export default …` (through `defineCluster(…)`); `''` when it is elsewhere. */
function pathOf(literal: ts.Node): string {
  const segments: string[] = [];
  let node: ts.Node = literal;
  for (;;) {
    const parent = node.parent;
    if (ts.isPropertyAssignment(parent) && parent.initializer === node) {
      const name = ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name) ? parent.name.text : undefined;
      if (name === undefined) return '';
      segments.unshift(/^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`);
      node = parent.parent;
    } else if (ts.isArrayLiteralExpression(parent)) {
      segments.unshift(`[${parent.elements.indexOf(node as ts.Expression)}]`);
      node = parent;
    } else if (ts.isCallExpression(parent) || ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) {
      node = parent;
    } else if (ts.isExportAssignment(parent)) {
      return segments.join('').replace(/^\./, '');
    } else {
      return '';
    }
  }
}
