/**
 * The active model version and its predictions as the studio shows them: the cached
 * probabilities of an image (read from the project's prediction cache) and their 8-bit PNG,
 * and, when an image has none, why (no model, queued or being predicted, paused, failed, or an
 * image newer than the predictions). Until the active version's prediction of an image exists,
 * the prediction of the version active before it stands in, saying so.
 */
import type { PredictionQueueState, StudioPrediction } from '../../../shared/api/studio';
import type { ImageEntry } from '../dataset';
import type { ModelVersion, Project } from '../project';
import type { ImageServing } from './image-serving';
import { probabilityPng } from './png';
import { RecentCache } from './recent-cache';

/** How many earlier versions are kept to stand in for the active one's missing predictions. */
const STAND_INS = 3;

/** What PredictionServing starts from (StudioSession.open finds it out). */
export interface ModelState {
  /** The active version, or null. */
  active: ModelVersion | null;
  /** Why the bundled model could not be added (missing or broken folder), else null. */
  bundledProblem: string | null;
}

/** A cached map as the studio serves it: probabilities and the scale they were predicted at. */
interface ServedMap {
  probabilities: Float32Array;
  /** The resampling factor (1: the image's own size), null when the cache does not know it. */
  scale: number | null;
  /** The FOV diameter in pixels the factor matched, else null. */
  fovDiameter: number | null;
}

/** The active model version and its cached predictions, served per image. */
export class PredictionServing {
  private model: ModelVersion | null;
  /** Versions active before this one, newest first: their predictions stand in for missing ones. */
  private earlier: ModelVersion[] = [];
  private readonly bundledProblem: string | null;
  /** Maps by `<model id>:<image id>:<generation>` (null: no prediction stored). */
  private readonly probabilityCache = new RecentCache<ServedMap | null>(16);
  /** Probability maps as 8-bit grey PNGs, keyed as probabilityCache. */
  private readonly pngCache = new RecentCache<Uint8Array | null>(6);
  /** Bumped when an image's prediction is stored, so its cached "none" is not served again. */
  private readonly generations = new Map<string, number>();
  private queue: () => PredictionQueueState | null = () => null;

  constructor(
    private readonly project: Project,
    private readonly images: ImageServing,
    state: ModelState,
  ) {
    this.model = state.active;
    this.bundledProblem = state.bundledProblem;
  }

  /** The model version whose predictions are shown, or null. */
  get active(): ModelVersion | null {
    return this.model;
  }

  /**
   * Makes another version active (or none), dropping what was cached. The version active until
   * now stands in for the new one's missing predictions; with none active, nothing stands in.
   */
  activate(version: ModelVersion | null): void {
    const previous = this.model;
    this.model = version;
    if (version === null) this.earlier = [];
    else if (previous !== null && previous.id !== version.id) {
      this.earlier = [previous, ...this.earlier.filter((v) => v.id !== previous.id)]
        .filter((v) => v.id !== version.id)
        .slice(0, STAND_INS);
    }
    this.forget();
  }

  /** Drops cached probabilities and PNGs, e.g. after new predictions were stored. */
  forget(): void {
    this.probabilityCache.clear();
    this.pngCache.clear();
  }

  /** One image's prediction was stored: what was cached for it is not served again. */
  stored(id: string): void {
    this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
  }

  /** Follows the prediction queue, so prediction() can say where an image stands in it. */
  followQueue(state: () => PredictionQueueState | null): void {
    this.queue = state;
  }

  /** Why no model is active (the bundled model's problem, or none trained yet); null when one is. */
  missingModelReason(): string | null {
    return this.model ? null : this.noModelReason();
  }

  private noModelReason(): string {
    return this.bundledProblem ?? 'No model in this project yet: train one to see predictions.';
  }

  /** The active model's prediction of an image as a PNG, or why there is none. */
  async prediction(id: string): Promise<StudioPrediction> {
    const entry = this.images.entry(id);
    if (!this.model) {
      return { available: false, id, reason: this.noModelReason() };
    }
    const model = this.model;
    const png = await this.png(id);
    const size = { width: entry.width, height: entry.height };
    if (png) {
      const scale = await this.scaleOf(model, entry);
      return {
        available: true,
        id,
        modelId: model.id,
        modelName: model.name,
        ...size,
        png,
        ...scale,
      };
    }
    const reason = this.noPredictionReason(id);
    for (const earlier of this.earlier) {
      const standIn = await this.versionPng(earlier, entry);
      if (!standIn) continue;
      return {
        available: true,
        id,
        modelId: earlier.id,
        modelName: earlier.name,
        ...size,
        png: standIn,
        ...(await this.scaleOf(earlier, entry)),
        standsInFor: { modelId: model.id, modelName: model.name, reason },
      };
    }
    return { available: false, id, reason };
  }

  /** The active model's cached probabilities of an image; null without a model or a prediction of this size. */
  probabilities(entry: ImageEntry): Promise<Float32Array | null> {
    const model = this.model;
    return model ? this.versionProbabilities(model, entry) : Promise.resolve(null);
  }

  /** The active model's stored prediction of an image as an 8-bit grey PNG; null when it has none. */
  png(id: string): Promise<Uint8Array | null> {
    const entry = this.images.entry(id);
    const model = this.model;
    return model ? this.versionPng(model, entry) : Promise.resolve(null);
  }

  /** Cache key of a version's prediction of an image, new once the image's prediction is stored. */
  private key(version: ModelVersion, id: string): string {
    return `${version.id}:${id}:${this.generations.get(id) ?? 0}`;
  }

  private versionMap(version: ModelVersion, entry: ImageEntry): Promise<ServedMap | null> {
    return this.probabilityCache.get(this.key(version, entry.id), async () => {
      const cached = await this.project.getPrediction(version.id, entry.id);
      return cached && cached.width === entry.width && cached.height === entry.height
        ? {
            probabilities: cached.probabilities,
            scale: cached.scale?.factor ?? null,
            fovDiameter: cached.scale?.fovDiameter ?? null,
          }
        : null;
    });
  }

  private async versionProbabilities(
    version: ModelVersion,
    entry: ImageEntry,
  ): Promise<Float32Array | null> {
    return (await this.versionMap(version, entry))?.probabilities ?? null;
  }

  /** The scale a version's stored prediction of an image was made at (null fields: unknown). */
  private async scaleOf(
    version: ModelVersion,
    entry: ImageEntry,
  ): Promise<{ scale: number | null; fovDiameter: number | null }> {
    const map = await this.versionMap(version, entry);
    return { scale: map?.scale ?? null, fovDiameter: map?.fovDiameter ?? null };
  }

  private versionPng(version: ModelVersion, entry: ImageEntry): Promise<Uint8Array | null> {
    // Keyed by model too: a request still encoding for another model cannot answer for this one.
    return this.pngCache.get(this.key(version, entry.id), async () => {
      const probabilities = await this.versionProbabilities(version, entry);
      return probabilities ? probabilityPng(probabilities, entry.width, entry.height) : null;
    });
  }

  private noPredictionReason(id: string): string {
    const name = (this.model as ModelVersion).name;
    const queue = this.queue();
    const ours = queue !== null && queue.modelId === this.model?.id ? queue : null;
    const count = ours ? `${ours.done} of ${ours.total} done` : '';
    if (ours?.phase === 'predicting' && ours.paused) {
      return `Predictions of model "${name}" are paused (${count}): resume them in the status bar to see its prediction of ${id}.`;
    }
    if (ours?.phase === 'predicting') {
      return ours.currentId === id
        ? `Model "${name}" is predicting ${id} now in the background (${count}): it appears here when it is done.`
        : `Model "${name}" is predicting the images one by one in the background (${count}): its prediction of ${id} appears here when it is done.`;
    }
    if (ours?.phase === 'failed') {
      return `Predicting with model "${name}" failed (${ours.error}): retrain, or reopen the project to try again.`;
    }
    return `Model "${name}" has no prediction for ${id} yet (the image is newer than its predictions): reopen the project or retrain to predict it.`;
  }
}
