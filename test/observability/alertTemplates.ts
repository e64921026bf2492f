/**
 * Expands the alert annotation templates kvfleet writes, as Prometheus does (Go text/template with
 * Prometheus's functions, `template/template.go` @v3.14), so a promtool unit test can state the exact
 * annotations an alert fires with: promtool compares them in full. Only the forms kvfleet's rules
 * use are supported; anything else throws, so a new form gets a rule here before it is used.
 */

/** Go's `%.4g`: four significant digits, trailing zeros dropped, exponent form outside 1e-4 … 1e4. */
export function goG4(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
  const exponent = Math.floor(Math.log10(Math.abs(Number(v.toPrecision(4)))));
  if (exponent < -4 || exponent >= 4) {
    const [mantissa, exp] = v.toExponential(3).split('e') as [string, string];
    const digits = exp.replace(/^([+-])(\d)$/, '$10$2');
    return `${mantissa.replace(/\.?0+$/, '')}e${digits}`;
  }
  return v
    .toFixed(Math.max(0, 3 - exponent))
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

export function humanizePercentage(v: number): string {
  return `${goG4(v * 100)}%`;
}

/** Prometheus's humanizeDuration for values of at least a second (the only ones kvfleet's rules produce). */
export function humanizeDuration(v: number): string {
  if (Math.abs(v) < 1) throw new Error(`humanizeDuration below one second (${v}) is not implemented here`);
  const sign = v < 0 ? '-' : '';
  const total = Math.trunc(Math.abs(v));
  const seconds = total % 60;
  const minutes = Math.trunc(total / 60) % 60;
  const hours = Math.trunc(total / 3600) % 24;
  const days = Math.trunc(total / 86_400);
  if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
  if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
  if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
  return `${sign}${goG4(Math.abs(v))}s`;
}

/** `fmt.Sprint` of a float64 as text/template prints `$value`: shortest form, `%v`. */
function goFloat(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  return String(v).replace(/e([+-])(\d)$/, 'e$10$2');
}

function evaluate(action: string, labels: Readonly<Record<string, string>>, value: number): string {
  const label = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(action);
  if (label) return labels[label[1]!] ?? '<no value>';
  switch (action) {
    case '$value':
      return goFloat(value);
    case '$value | humanizePercentage':
      return humanizePercentage(value);
    case '$value | humanizeDuration':
      return humanizeDuration(value);
    case 'printf "%.0f" $value':
      return value.toFixed(0);
  }
  throw new Error(`template action {{ ${action} }} is not supported by test/observability/alertTemplates.ts`);
}

/** `template` with every `{{ … }}` action expanded for an alert with these labels and value. */
export function expandAlertTemplate(template: string, labels: Readonly<Record<string, string>>, value: number): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (_, action: string) => evaluate(action, labels, value));
}
