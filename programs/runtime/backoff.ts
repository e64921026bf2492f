/** Exponential backoff: base, 2×base, 4×base … capped. `attempt` counts from 0. */
export function nextDelayMs(attempt: number, baseMs = 1_000, maxMs = 30_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt), maxMs);
}
