import { useCallback, useEffect, useState } from 'react';
import type { RetrainSettingsInput, TrainingRunState } from '../../../shared/api/training';
import { useApi } from '../api/client';

export interface TrainingRunControls {
  run: TrainingRunState | null;
  /** A request that failed before or outside a run (e.g. no dataset open). */
  error: string | null;
  busy: boolean;
  start(settings: RetrainSettingsInput): Promise<void>;
  cancel(): Promise<void>;
}

/** Applies one progress event to a run's state: the live chart gets a point per finished epoch. */
export function applyProgress(
  run: TrainingRunState,
  progress: NonNullable<TrainingRunState['last']>,
): TrainingRunState {
  if (progress.runId !== run.runId) return run;
  const history =
    progress.valLoss !== null && !run.history.some((h) => h.epoch === progress.epoch)
      ? [
          ...run.history,
          {
            epoch: progress.epoch,
            loss: progress.loss,
            valLoss: progress.valLoss,
            valF1: progress.valF1,
          },
        ]
      : run.history;
  return { ...run, last: progress, history };
}

/** The current training run, kept live from the engine's events; survives a page reload. */
export function useTrainingRun(): TrainingRunControls {
  const api = useApi();
  const [run, setRun] = useState<TrainingRunState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    void api.training.current({}).then((result) => {
      if (!cancelled && result.ok) setRun(result.value);
    });
    const offState = api.on('training.state', (state) => setRun(state));
    const offProgress = api.on('training.progress', (progress) =>
      setRun((current) => (current ? applyProgress(current, progress) : current)),
    );
    return () => {
      cancelled = true;
      offState();
      offProgress();
    };
  }, [api]);

  const start = useCallback(
    async (settings: RetrainSettingsInput) => {
      setBusy(true);
      setError(null);
      const result = await api.training.start({ settings });
      setBusy(false);
      if (result.ok) setRun(result.value);
      else setError(result.error.message);
    },
    [api],
  );

  const cancel = useCallback(async () => {
    if (!run) return;
    const result = await api.training.cancel({ runId: run.runId });
    if (!result.ok) setError(result.error.message);
  }, [api, run]);

  return { run, error, busy, start, cancel };
}
