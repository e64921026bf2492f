/**
 * Kubernetes resource quantities (`3500m`, `16Gi`, `1e9`, `0.5`) as whole millicores and bytes.
 *
 * Not `quantityToScalar` from @kubernetes/client-node 2.0.1: its package entry point does not export
 * it (only dist/util.js has it), and it throws on fractions with a suffix
 * (`1.5Gi`, `0.5M`: it hands them to `BigInt`), returns a `number | bigint` mix and 0 for an empty
 * string. Here the decimal digits are scaled exactly with BigInt, so `0.1` CPU is 100 millicores,
 * not the 101 that `Math.ceil(0.1 * 1000)` gives in floating point.
 */

// apimachinery's grammar (resource.Quantity): a signed decimal, then a binary SI suffix, a decimal SI
// suffix, or a decimal exponent. `E` alone is exa; `E3`/`e3` is an exponent.
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

const BINARY_POWER: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
// Far beyond any real resource; keeps a hostile `1e999999` from building a huge BigInt.
const MAX_EXPONENT = 40;

/**
 * `value × 10^scale`, rounded up to a whole number as apimachinery's `ScaledValue` does; `undefined`
 * for anything that is not a non-negative quantity (a negative request or allocatable means nothing).
 * YAML numbers (`cpu: 4`, `memory: 1e9` unquoted) are accepted as their decimal text.
 */
export function scaledQuantity(quantity: unknown, scale: number): number | undefined {
  const text = typeof quantity === 'number' && Number.isFinite(quantity) ? String(quantity) : quantity;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY.exec(text.trim());
  if (!m) return undefined;
  const [, sign, number, suffix, exponent] = m;
  const [whole, fraction = ''] = number!.split('.');
  const digits = BigInt(`${whole || '0'}${fraction}`);
  if (sign === '-' && digits !== 0n) return undefined;
  const power10 = scale - fraction.length + (exponent !== undefined ? Number(exponent) : suffix ? (DECIMAL_EXPONENT[suffix] ?? 0) : 0);
  if (Math.abs(power10) > MAX_EXPONENT) return undefined;
  const value = digits * 1024n ** BigInt(suffix ? (BINARY_POWER[suffix] ?? 0) : 0);
  if (power10 >= 0) return Number(value * 10n ** BigInt(power10));
  const divisor = 10n ** BigInt(-power10);
  return Number((value + divisor - 1n) / divisor); // round up, as Kubernetes does for sub-unit remainders
}

/** CPU quantity → millicores (`3500m` → 3500, `4` → 4000, `0.5` → 500); `undefined` when unparsable. */
export function cpuMillis(quantity: unknown): number | undefined {
  return scaledQuantity(quantity, 3);
}

/** Memory quantity → bytes (`16Gi` → 17179869184, `1e9` → 1000000000); `undefined` when unparsable. */
export function memoryBytes(quantity: unknown): number | undefined {
  return scaledQuantity(quantity, 0);
}
