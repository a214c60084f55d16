import { useEffect, useState } from 'react';
import type { PredictionQueueState } from '../../../shared/api/studio';
import { useApi } from '../api/client';
import { predictionQueueLabel } from './prediction-queue-label';

/**
 * The prediction queue in the status bar: "Predicting 3 of 40 · ETA 01:20" with Pause or
 * Resume while it predicts, the evaluation that follows, or why it failed; nothing otherwise.
 */
export function PredictionQueueStatus() {
  const api = useApi();
  const [state, setState] = useState<PredictionQueueState | null>(null);

  useEffect(() => {
    let current = true;
    const ask = () =>
      void api.studio.predictionQueue({}).then((result) => {
        if (current && result.ok) setState(result.value);
      });
    ask();
    const offProgress = api.on('studio.predictionProgress', setState);
    const offOpened = api.on('studio.opened', ask);
    return () => {
      current = false;
      offProgress();
      offOpened();
    };
  }, [api]);

  const label = predictionQueueLabel(state);
  if (!state || label === null) return null;
  const predicting = state.phase === 'predicting';
  const toggle = async () => {
    const result = state.paused
      ? await api.studio.resumePredictions({})
      : await api.studio.pausePredictions({});
    if (result.ok) setState(result.value);
  };
  return (
    <>
      <span className="status-sep" />
      <span
        data-testid="prediction-queue"
        data-phase={state.phase}
        data-done={state.done}
        data-total={state.total}
        data-paused={state.paused}
        className={state.phase === 'failed' ? 'status-error' : undefined}
        title={state.currentId ? `Now predicting ${state.currentId}` : undefined}
      >
        {label}
      </span>
      {predicting && (
        <button
          type="button"
          className="link"
          data-testid="prediction-queue-toggle"
          onClick={() => void toggle()}
        >
          {state.paused ? 'Resume' : 'Pause'}
        </button>
      )}
    </>
  );
}
