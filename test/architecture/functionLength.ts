/**
 * Functions longer than a screen, found with TypeScript's own parser: what the function-length rule
 * (functionLength.test.ts) reads. A long function may stay long when a comment before it says why,
 * with the words "long function:" (a table of rows, a generated shape, a state machine read best in
 * one place).
 */
import ts from 'typescript';

export const MAX_FUNCTION_LINES = 80;
export const LONG_FUNCTION_MARK = /long function:/i;

export interface LongFunction {
  readonly name: string;
  /** 1-based line of the function's start. */
  readonly line: number;
  readonly lines: number;
  /** The comment before it says why it is one function. */
  readonly explained: boolean;
}

type FunctionNode = ts.FunctionDeclaration | ts.MethodDeclaration | ts.ConstructorDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.GetAccessorDeclaration;

function isFunction(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isGetAccessor(node)
  );
}

/** The name a reader would search for: the declaration's, the variable's or property's it is assigned to, or `<anonymous>`. */
function nameOf(node: FunctionNode, file: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return `${(node.parent as ts.ClassDeclaration).name?.text ?? '<class>'}.constructor`;
  if (node.name) return node.name.getText(file);
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name) return parent.name.getText(file);
  return '<anonymous>';
}

/** The node whose leading comments document the function: its variable statement for `const f = () => …`. */
function documented(node: FunctionNode): ts.Node {
  let n: ts.Node = node;
  while (ts.isVariableDeclaration(n.parent) || ts.isVariableDeclarationList(n.parent) || ts.isVariableStatement(n.parent) || ts.isExportAssignment(n.parent))
    n = n.parent;
  return n;
}

export function longFunctions(source: string, fileName: string, max = MAX_FUNCTION_LINES): LongFunction[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunction(node) && node.body) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file)).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max) {
        const doc = documented(node);
        const comments = ts.getLeadingCommentRanges(source, doc.getFullStart()) ?? [];
        const explained = comments.some((c) => LONG_FUNCTION_MARK.test(source.slice(c.pos, c.end)));
        found.push({ name: nameOf(node, file), line: start + 1, lines, explained });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
