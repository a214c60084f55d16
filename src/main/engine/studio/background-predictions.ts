/**
 * Predicts the studio's pending model version (the bundled model, just added to a project) on
 * every image in the background, as training does for a version it made: with a test split
 * that is the version's evaluation (which caches every prediction); without one, predictions
 * only. When done, `models.changed` tells every front end to refresh what it shows.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ComputeHost } from '../../compute/host';
import { isTestImage } from '../../compute/train/split';
import { allEntries } from '../dataset';
import type { EngineEvents } from '../events';
import type { StudioSession } from './session';

export interface BackgroundPredictionServices {
  /** Predicts every image with a version, caching them, and stores its test evaluation. */
  evaluate(modelId: number): Promise<unknown>;
  compute(): ComputeHost;
  events: EngineEvents;
  /** False once another session replaced this one (its project is closed then). */
  isCurrent(session: StudioSession): boolean;
}

/** Caches a version's prediction of every image of a dataset without a test split. */
async function predictEveryImage(
  session: StudioSession,
  compute: ComputeHost,
  modelId: number,
): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), `vessel-predict-${modelId}-`));
  try {
    await session.project.writeModelDir(modelId, work);
    const predicted = await compute.request('predict.dataset', {
      modelDir: work,
      root: session.dataset.root,
      ids: allEntries(session.dataset).map((e) => e.id),
    });
    for (const p of predicted) await session.project.putPrediction(modelId, p.id, p);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Starts predicting the session's pending version, if it has one, and returns the work (which
 * never rejects: a failure is kept by the session and shown as the prediction's reason).
 */
export function predictPendingInBackground(
  session: StudioSession,
  services: BackgroundPredictionServices,
): Promise<void> | null {
  const version = session.takePendingPredictions();
  if (!version) return null;
  const hasTestSplit = allEntries(session.dataset).some(isTestImage);
  const work = (async () => {
    // Evaluate reads the holder's current session: never let it run against another project.
    if (!services.isCurrent(session)) return;
    if (hasTestSplit) await services.evaluate(version.id);
    else await predictEveryImage(session, services.compute(), version.id);
  })();
  session.trackBackgroundPredictions(version.id, work);
  // Done or failed, the front ends ask again: they show the predictions, or why there are none.
  const refresh = () => {
    if (services.isCurrent(session))
      services.events.emit('models.changed', { activeId: session.activeModel?.id ?? null });
  };
  return work.then(refresh, refresh);
}
