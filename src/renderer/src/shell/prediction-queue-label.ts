/** What the status bar says of the prediction queue. */
import type { PredictionQueueState } from '../../../shared/api/studio';
import { formatEta } from '../training/format';

/**
 * The queue in one line ("Predicting 3 of 40 · ETA 01:20"), or null once it ended well or was
 * cancelled (nothing to show then).
 */
export function predictionQueueLabel(state: PredictionQueueState | null): string | null {
  if (!state) return null;
  const { phase, done, total, paused, etaSeconds, currentId, modelName } = state;
  if (phase === 'failed') return `Predicting with "${modelName}" failed: ${state.error ?? ''}`;
  if (phase === 'evaluating') return `Evaluating "${modelName}" on the test split…`;
  // Nothing to predict (every image had a prediction): nothing to show.
  if (phase !== 'predicting' || total === 0) return null;
  const eta = etaSeconds === null ? '' : ` · ETA ${formatEta(etaSeconds)}`;
  if (paused && currentId === null) return `Predictions paused: ${done} of ${total} done`;
  const which = Math.min(done + 1, total);
  return `${paused ? 'Pausing after' : 'Predicting'} ${which} of ${total}${eta}`;
}
