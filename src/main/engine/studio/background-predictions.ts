/**
 * Predicts the studio's active model version in the background wherever it has no prediction
 * yet (the bundled model just added to a project, a version made active before it was
 * predicted): a PredictionQueue sends one image per compute request, the image on screen first,
 * stores each in the project's prediction cache and announces it (`studio.predictionReady`),
 * with its progress (`studio.predictionProgress`). With a test split and no evaluation of the
 * version yet, the evaluation follows, scoring the exact maps the queue made rather than the
 * cache's 8-bit ones. When it ends, `models.changed` tells every front end to refresh.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { flipsFor, type ModelConfig } from '../../../shared/model-config';
import type { ComputeHost } from '../../compute/host';
import type { PredictedImage } from '../../compute/predict-dataset';
import { isTestImage } from '../../compute/train/split';
import { allEntries } from '../dataset';
import type { EngineEvents } from '../events';
import type { ModelVersion } from '../project';
import { PredictionQueue } from './prediction-queue';
import type { StudioSession } from './session';

export interface BackgroundPredictionServices {
  /** Evaluates a version on the test split (caching its predictions) and stores the evaluation. */
  evaluate(modelId: number): Promise<unknown>;
  compute(): ComputeHost;
  events: EngineEvents;
  /** False once another session replaced this one (its project is closed then). */
  isCurrent(session: StudioSession): boolean;
}

/** A queue that predicts `version` on the session's images that lack its prediction. */
export function createPredictionQueue(
  session: StudioSession,
  services: BackgroundPredictionServices,
  version: ModelVersion,
): PredictionQueue {
  const { project, dataset } = session;
  const entries = allEntries(dataset);
  const byId = new Map(entries.map((e) => [e.id, e]));
  // The model's own flip setting, as the evaluation decides it, so its scores match these maps.
  const flips = flipsFor((version.config ?? {}) as Pick<ModelConfig, 'inference'>);
  const exact = new Map<string, PredictedImage>();
  let evaluate = false;
  let changed = false;
  let modelDir: Promise<string> | null = null;
  const writeModelDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), `vessel-predict-${version.id}-`));
    await project.writeModelDir(version.id, dir);
    return dir;
  };
  const current = () => services.isCurrent(session);
  return new PredictionQueue({
    modelId: version.id,
    modelName: version.name,
    ids: entries.map((e) => e.id),
    async prepare() {
      evaluate =
        entries.some(isTestImage) && (await project.listEvaluations(version.id)).length === 0;
      // Until the front end names the image on screen, the one the project last showed.
      const saved = (await project.getViewSettings()).selectedImage;
      if (session.focused().id === null && typeof saved === 'string' && byId.has(saved)) {
        session.focusImage(saved);
      }
    },
    async release() {
      const dir = await modelDir?.catch(() => null);
      if (dir) await rm(dir, { recursive: true, force: true });
    },
    async has(id) {
      const entry = byId.get(id);
      // An unreadable cached map counts as none: it is predicted and replaced.
      const cached = await project.getPrediction(version.id, id).catch(() => undefined);
      return (
        cached !== undefined && cached.width === entry?.width && cached.height === entry.height
      );
    },
    async predict(id, signal) {
      modelDir ??= writeModelDir();
      const [image] = await services
        .compute()
        .request(
          'predict.dataset',
          { modelDir: await modelDir, root: dataset.root, ids: [id], flips },
          { signal },
        );
      return image as PredictedImage;
    },
    async store(image) {
      await project.putPrediction(version.id, image.id, image);
      if (evaluate) exact.set(image.id, image);
      session.predictionStored(image.id);
      changed = true;
    },
    focus: () => session.focused(),
    followUp() {
      // Evaluate reads the holder's current session: never let it run against another project.
      if (!evaluate || !current()) return null;
      return async () => {
        session.keepExactPredictions(version.id, flips, exact);
        await services.evaluate(version.id);
        changed = true;
      };
    },
    onState(state) {
      if (!current()) return;
      services.events.emit('studio.predictionProgress', state);
      // Done or failed, the front ends ask again: they show the predictions, or why there are none.
      const ended = state.phase === 'done' || state.phase === 'failed';
      if (ended && (changed || state.phase === 'failed')) {
        services.events.emit('models.changed', { activeId: session.activeModel?.id ?? null });
      }
    },
    onReady(id) {
      if (current()) services.events.emit('studio.predictionReady', { id, modelId: version.id });
    },
  });
}

/**
 * Lets the session predict its active version, and each version made active later, where it
 * has no prediction, and starts on the active one. Returns the work (which never rejects: a
 * failure is the queue's state, shown as the prediction's reason), or null when there is none.
 */
export function predictPendingInBackground(
  session: StudioSession,
  services: BackgroundPredictionServices,
): Promise<unknown> | null {
  session.usePredictionQueues((version) => createPredictionQueue(session, services, version));
  if (!services.isCurrent(session)) return null;
  return session.predictInBackground();
}
