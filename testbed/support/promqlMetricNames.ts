/**
 * The series names a PromQL expression selects, read with a small lexer: what is left once string
 * literals, label matchers `{…}`, ranges `[…]`, numbers and durations, keywords, function and
 * aggregation names and grouping label lists (`by (…)`, `on (…)`, …) are skipped. promtool checks
 * the syntax; this only has to find the names, so the metrics contract can vouch for each.
 */

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan', 'start', 'end']);
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);

/** Index just past the bracket that closes the one at `start`, skipping string literals. */
function skipBracketed(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') i = skipString(expr, i) - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced ${open}${close} in: ${expr}`);
}

function skipString(expr: string, start: number): number {
  const quote = expr[start]!;
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i + 1;
  }
  throw new Error(`unterminated string in: ${expr}`);
}

const nextNonSpace = (expr: string, from: number) => {
  let i = from;
  while (i < expr.length && /\s/.test(expr[i]!)) i++;
  return i;
};

/** Every metric name `expr` selects, sorted, each once. */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '"' || c === "'" || c === '`') i = skipString(expr, i);
    else if (c === '{') i = skipBracketed(expr, i, '{', '}');
    else if (c === '[') i = skipBracketed(expr, i, '[', ']');
    else if (/[0-9.]/.test(c)) i += /^[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?[a-zA-Z0-9]*/.exec(expr.slice(i))?.[0].length ?? 1;
    else if (/[a-zA-Z_:]/.test(c)) {
      const word = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))![0];
      const after = nextNonSpace(expr, i + word.length);
      i += word.length;
      if (LABEL_LIST_KEYWORDS.has(word)) {
        if (expr[after] === '(') i = skipBracketed(expr, after, '(', ')');
      } else if (!KEYWORDS.has(word) && !AGGREGATIONS.has(word) && expr[after] !== '(') {
        names.add(word);
      }
    } else i++;
  }
  return [...names].sort();
}

/** The metric of a Grafana variable query `label_values(<metric or selector>, <label>)`. */
export function labelValuesMetric(definition: string): string | undefined {
  return /^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(definition)?.[1];
}
