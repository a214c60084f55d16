/** Small formatting rules shared by the training panels. */

/** `1:05:09`, `04:31`, or an ellipsis when the time is not known yet. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '…';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${String(m).padStart(2, '0')}:${r}`;
}

/** A signed delta with four decimals: `+0.0123`, `-0.0040`, `±0.0000`, or a dash. */
export function formatDelta(delta: number | null): string {
  if (delta === null || !Number.isFinite(delta)) return '–';
  if (Math.abs(delta) < 5e-5) return '±0.0000';
  return `${delta > 0 ? '+' : '-'}${Math.abs(delta).toFixed(4)}`;
}

/** Overall progress of a run in [0, 1] from its epoch and batch counters. */
export function runFraction(
  last: { epoch: number; epochs: number; batch: number; batchesPerEpoch: number } | null,
): number {
  if (!last || last.epochs <= 0 || last.batchesPerEpoch <= 0) return 0;
  const done =
    (Math.max(0, last.epoch - 1) * last.batchesPerEpoch + last.batch) /
    (last.epochs * last.batchesPerEpoch);
  return Math.min(1, Math.max(0, done));
}
