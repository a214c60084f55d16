/**
 * The active model version and its predictions as the studio shows them: the cached
 * probabilities of an image (read from the project's prediction cache) and their 8-bit PNG,
 * and, when an image has none, why (no model, still predicting in the background, failed, or
 * an image newer than the predictions).
 */
import type { StudioPrediction } from '../../../shared/api/studio';
import type { ImageEntry } from '../dataset';
import type { ModelVersion, Project } from '../project';
import type { ImageServing } from './image-serving';
import { probabilityPng } from './png';
import { RecentCache } from './recent-cache';

/** Where the predictions of a version being predicted in the background stand. */
interface BackgroundPredictions {
  modelId: number;
  running: boolean;
  error: string | null;
}

/** What PredictionServing starts from (StudioSession.open finds it out). */
export interface ModelState {
  /** The active version, or null. */
  active: ModelVersion | null;
  /** The active version when it has neither cached predictions nor an evaluation yet. */
  pending: ModelVersion | null;
  /** Why the bundled model could not be added (missing or broken folder), else null. */
  bundledProblem: string | null;
}

/** The active model version and its cached predictions, served per image. */
export class PredictionServing {
  private model: ModelVersion | null;
  private pending: ModelVersion | null;
  private readonly bundledProblem: string | null;
  private readonly probabilityCache = new RecentCache<Float32Array | null>(16);
  /** The active model's probability maps as 8-bit grey PNGs (null: no prediction stored). */
  private readonly pngCache = new RecentCache<Uint8Array | null>(6);
  private background: BackgroundPredictions | null = null;

  constructor(
    private readonly project: Project,
    private readonly images: ImageServing,
    state: ModelState,
  ) {
    this.model = state.active;
    this.pending = state.pending;
    this.bundledProblem = state.bundledProblem;
  }

  /** The model version whose predictions are shown, or null. */
  get active(): ModelVersion | null {
    return this.model;
  }

  /** Makes another version active (or none), dropping what was cached for the previous one. */
  activate(version: ModelVersion | null): void {
    this.model = version;
    this.forget();
  }

  /** Drops cached probabilities and PNGs, e.g. after new predictions were stored. */
  forget(): void {
    this.probabilityCache.clear();
    this.pngCache.clear();
  }

  /** Why no model is active (the bundled model's problem, or none trained yet); null when one is. */
  missingModelReason(): string | null {
    return this.model ? null : this.noModelReason();
  }

  private noModelReason(): string {
    return this.bundledProblem ?? 'No model in this project yet: train one to see predictions.';
  }

  /** The pending version, handed out once and only while it is still the active one, else null. */
  takePending(): ModelVersion | null {
    const pending = this.pending;
    this.pending = null;
    return pending !== null && pending.id === this.model?.id ? pending : null;
  }

  /**
   * Follows a background prediction of a version, so prediction() can say what is going on;
   * calls `whenDone` once it succeeded (its predictions are in the project then).
   */
  track(modelId: number, work: Promise<unknown>, whenDone: () => void): void {
    const state: BackgroundPredictions = { modelId, running: true, error: null };
    this.background = state;
    work.then(
      () => {
        state.running = false;
        whenDone();
      },
      (error: unknown) => {
        state.running = false;
        state.error = error instanceof Error ? error.message : String(error);
      },
    );
  }

  /** The active model's prediction of an image as a PNG, or why there is none. */
  async prediction(id: string): Promise<StudioPrediction> {
    const entry = this.images.entry(id);
    if (!this.model) {
      return { available: false, id, reason: this.noModelReason() };
    }
    const model = this.model;
    const png = await this.png(id);
    if (!png) return { available: false, id, reason: this.noPredictionReason(id) };
    return {
      available: true,
      id,
      modelId: model.id,
      modelName: model.name,
      width: entry.width,
      height: entry.height,
      png,
    };
  }

  /** The active model's cached probabilities of an image; null without a model or a prediction of this size. */
  probabilities(entry: ImageEntry): Promise<Float32Array | null> {
    const model = this.model;
    if (!model) return Promise.resolve(null);
    return this.probabilityCache.get(entry.id, async () => {
      const cached = await this.project.getPrediction(model.id, entry.id);
      return cached && cached.width === entry.width && cached.height === entry.height
        ? cached.probabilities
        : null;
    });
  }

  /** The active model's stored prediction of an image as an 8-bit grey PNG; null when it has none. */
  png(id: string): Promise<Uint8Array | null> {
    const entry = this.images.entry(id);
    const model = this.model;
    if (!model) return Promise.resolve(null);
    // Keyed by model too: a request still encoding for the previous model cannot answer for this one.
    return this.pngCache.get(`${model.id}:${id}`, async () => {
      const probabilities = await this.probabilities(entry);
      return probabilities ? probabilityPng(probabilities, entry.width, entry.height) : null;
    });
  }

  private noPredictionReason(id: string): string {
    const name = (this.model as ModelVersion).name;
    const background = this.background?.modelId === this.model?.id ? this.background : null;
    if (background?.running) {
      return `Model "${name}" is predicting every image in the background (once, for a new project): its prediction of ${id} appears here when it is done.`;
    }
    if (background?.error) {
      return `Predicting with model "${name}" failed (${background.error}): retrain, or reopen the project to try again.`;
    }
    return `Model "${name}" has no prediction for ${id} yet (the image is newer than its predictions): retrain to predict every image.`;
  }
}
