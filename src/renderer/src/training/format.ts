/** Small formatting rules shared by the training panels. */
import type { TrainingProgress } from '../../../shared/api/training';

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

/**
 * One line of a run's progress. Training: its counters, loss and the ETA, saying whether the
 * ETA includes the evaluation that follows; evaluating: the images predicted and the ETA.
 */
export function progressText(p: TrainingProgress): string {
  const eta = `ETA ${formatEta(p.etaSeconds)}`;
  if (p.phase === 'evaluating') {
    const images = p.evaluation ? `${p.evaluation.done} of ${p.evaluation.total} images` : '';
    return `evaluating: ${images} predicted · ${eta}`;
  }
  const counters = `epoch ${p.epoch}/${p.epochs}, batch ${p.batch}/${p.batchesPerEpoch}, loss ${p.loss.toFixed(4)}`;
  if (!p.evaluation) return `${counters} · ${eta}`;
  const images = `${p.evaluation.total} images`;
  return p.evaluationTimed
    ? `${counters} · ${eta}, evaluating ${images} included`
    : `${counters} · ${eta} for training, then evaluating ${images} (not timed yet)`;
}
