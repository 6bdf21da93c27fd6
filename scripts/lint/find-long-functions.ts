// Finds the functions in one source file that are longer than a limit, with the TypeScript
// compiler API. A function's length counts the lines from its first to its last that hold code:
// blank lines and comment-only lines are skipped, as the lint rule `max-lines-per-function` does,
// so this report and the lint error agree on what "81 lines" means.
import ts from "typescript";

export interface LongFunction {
  file: string;
  name: string;
  /** 1-based line where the function starts. */
  line: number;
  lines: number;
}

/** The functions in `text` longer than `maxLines`, in source order. */
export function findLongFunctions(file: string, text: string, maxLines: number): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKindOf(file));
  const codeLines = markCodeLines(source);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionWithBody(node)) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      let lines = 0;
      for (let line = first; line <= last; line++) if (codeLines.has(line)) lines++;
      if (lines > maxLines) found.push({ file, name: nameOf(node), line: first + 1, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function scriptKindOf(file: string): ts.ScriptKind {
  if (/\.[cm]?js$/.test(file)) return ts.ScriptKind.JS;
  return file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
}

function isFunctionWithBody(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return (
    (ts.isFunctionDeclaration(node) ||
      ts.isFunctionExpression(node) ||
      ts.isArrowFunction(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isConstructorDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)) &&
    node.body !== undefined
  );
}

/** The 0-based lines that hold at least one token: what is left is blank or comment only. */
function markCodeLines(source: ts.SourceFile): Set<number> {
  const lines = new Set<number>();
  const mark = (node: ts.Node): void => {
    if (node.kind >= ts.SyntaxKind.FirstToken && node.kind <= ts.SyntaxKind.LastToken) {
      markSpan(source, node.getStart(source), node.getEnd(), lines);
      return;
    }
    // Child tokens (punctuation, keywords) are not visited by forEachChild; getChildren has them.
    for (const child of node.getChildren(source)) mark(child);
  };
  mark(source);
  return lines;
}

function markSpan(source: ts.SourceFile, start: number, end: number, lines: Set<number>): void {
  const first = source.getLineAndCharacterOfPosition(start).line;
  const last = source.getLineAndCharacterOfPosition(Math.max(start, end)).line;
  for (let line = first; line <= last; line++) lines.add(line);
}

/** A readable name: the declaration's own, the variable or property it is assigned to, or where it is passed. */
function nameOf(node: ts.FunctionLikeDeclaration): string {
  const own = node.name && ts.isIdentifier(node.name) ? node.name.text : undefined;
  if (ts.isConstructorDeclaration(node)) return `${classNameOf(node)}.constructor`;
  if (
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  ) {
    const member = node.name.getText();
    return ts.isClassLike(node.parent) ? `${classNameOf(node)}.${member}` : member;
  }
  if (own) return own;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return parent.name.getText();
  if (ts.isCallExpression(parent)) return `<callback of ${parent.expression.getText()}>`;
  return "<anonymous>";
}

function classNameOf(node: ts.Node): string {
  const owner = node.parent;
  return ts.isClassLike(owner) && owner.name ? owner.name.text : "<class>";
}
