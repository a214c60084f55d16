/**
 * The studio session: one open dataset with its project file, and the caches that make an
 * image switch cheap. Every mask the person saves goes to the project as an append-only
 * revision; nothing is ever written into the dataset folder.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type {
  StudioImageList,
  StudioImagePixels,
  StudioLabels,
  StudioMask,
  StudioPrediction,
  StudioRevision,
  StudioSessionInfo,
} from '../../../shared/api/studio';
import { AppError } from '../../../shared/result';
import {
  allEntries,
  loadFov,
  loadLabel,
  loadRgb,
  openDataset,
  type DatasetIndex,
  type ImageEntry,
} from '../dataset';
import {
  createProject,
  decodePngMask,
  openProject,
  type ImageInput,
  type MaskRevision,
  type ModelVersion,
  type Project,
} from '../project';
import { registerBundledModel } from './bundled-model';
import { correctNextOrder, imageFigures, type ImageFigures } from './figures';
import { encodeMaskRuns } from '../../../shared/mask-runs';
import { probabilityPng, rgbPng } from './png';
import { defaultProjectFile } from './project-location';

export const STUDIO_ERROR_CODES = {
  NOT_OPEN: 'STUDIO_NOT_OPEN',
  UNKNOWN_IMAGE: 'STUDIO_UNKNOWN_IMAGE',
  MASK_SIZE: 'STUDIO_MASK_SIZE',
  DATASET_MISMATCH: 'STUDIO_DATASET_MISMATCH',
} as const;

/** A small least-recently-used cache of promises (failed loads are dropped, not cached). */
class RecentCache<T> {
  private readonly entries = new Map<string, Promise<T>>();
  constructor(private readonly capacity: number) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const promise = load();
    promise.catch(() => this.entries.delete(key));
    this.entries.set(key, promise);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return promise;
  }

  clear(): void {
    this.entries.clear();
  }
}

export interface OpenStudioOptions {
  datasetPath?: string;
  projectPath?: string;
  appVersion: string;
  env?: NodeJS.ProcessEnv;
  /**
   * The model folder that ships with the app (bundledModelDir(resourcesDir)): a project with no
   * model version gets it as its first one. Without it a new project starts with no model.
   */
  bundledModelDir?: string;
}

/** Where the predictions of a version being predicted in the background stand. */
interface BackgroundPredictions {
  modelId: number;
  running: boolean;
  error: string | null;
}

function toStudioRevision(r: MaskRevision): StudioRevision {
  return {
    id: r.id,
    imageId: r.imageKey,
    parentId: r.parentId,
    createdAt: r.createdAt,
    note: r.note,
    byteLength: r.byteLength,
  };
}

async function exists(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => null)) !== null;
}

export class StudioSession {
  private readonly entries: Map<string, ImageEntry>;
  private readonly imageCache = new RecentCache<StudioImagePixels>(6);
  private readonly labelCache = new RecentCache<StudioLabels>(6);
  private readonly fovCache = new RecentCache<Uint8Array>(64);
  private readonly probabilityCache = new RecentCache<Float32Array | null>(16);
  /** The active model's probability maps as 8-bit grey PNGs (null: no prediction stored). */
  private readonly predictionPngCache = new RecentCache<Uint8Array | null>(6);
  /** Figures by `<image id>@<revision id or label>`, so a new revision recomputes them. */
  private readonly figureCache = new Map<string, ImageFigures>();
  private background: BackgroundPredictions | null = null;

  private constructor(
    readonly dataset: DatasetIndex,
    readonly project: Project,
    private readonly projectCreated: boolean,
    private model: ModelVersion | null,
    /** Why the bundled model could not be added (missing or broken folder), else null. */
    private readonly bundledProblem: string | null,
    /** The active version when it has neither cached predictions nor an evaluation yet. */
    private pending: ModelVersion | null,
  ) {
    this.entries = new Map(allEntries(dataset).map((e) => [e.id, e]));
  }

  /**
   * Opens a dataset and/or a project. A dataset alone gets its automatic project (see
   * project-location.ts); a project alone opens the dataset folder it records.
   */
  static async open(options: OpenStudioOptions): Promise<StudioSession> {
    const { datasetPath, projectPath, appVersion } = options;
    let project: Project | null = null;
    let created = false;
    try {
      let datasetRoot: string;
      if (datasetPath === undefined) {
        if (projectPath === undefined) {
          throw new AppError('BAD_INPUT', 'Give a dataset folder, a project file or both.');
        }
        project = await openProject(projectPath, { appVersion });
        datasetRoot = await project.datasetRoot();
      } else {
        datasetRoot = path.resolve(datasetPath);
      }
      const dataset = await openDataset(datasetRoot);
      if (!project) {
        const file = path.resolve(projectPath ?? defaultProjectFile(dataset.root, options.env));
        if (await exists(file)) {
          project = await openProject(file, { appVersion });
          const recorded = path.resolve(await project.datasetRoot());
          if (recorded !== dataset.root) {
            throw new AppError(
              STUDIO_ERROR_CODES.DATASET_MISMATCH,
              `The project ${file} belongs to the dataset ${recorded}, not ${dataset.root}: open the project alone, or choose another project file.`,
            );
          }
        } else {
          project = await createProject(file, { datasetRoot: dataset.root, appVersion });
          created = true;
        }
      }
      await StudioSession.addMissingImages(project, dataset);
      const bundledProblem = await StudioSession.addBundledModel(project, options.bundledModelDir);
      // The active model: the one the view settings name, else the newest.
      const models = await project.listModelVersions();
      const { selectedModelVersion } = await project.getViewSettings();
      const active = models.find((m) => m.id === selectedModelVersion) ?? models.at(-1) ?? null;
      const pending =
        active && (await StudioSession.unpredicted(project, active, dataset)) ? active : null;
      return new StudioSession(dataset, project, created, active, bundledProblem, pending);
    } catch (error) {
      await project?.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Gives a project that never had a model version the bundled model as its first one. Returns
   * why that failed (the folder is missing or broken), or null; the project opens either way.
   */
  private static async addBundledModel(
    project: Project,
    dir: string | undefined,
  ): Promise<string | null> {
    if (dir === undefined) return null;
    if ((await project.listModelVersions({ includeDeleted: true })).length > 0) return null;
    try {
      await registerBundledModel(project, dir);
      return null;
    } catch (error) {
      if (error instanceof AppError) return error.message;
      throw error;
    }
  }

  /** True when a version has no evaluation and no cached prediction (a just-added bundled model). */
  private static async unpredicted(
    project: Project,
    version: ModelVersion,
    dataset: DatasetIndex,
  ): Promise<boolean> {
    const first = allEntries(dataset)[0];
    if (!first || (await project.listEvaluations(version.id)).length > 0) return false;
    return (await project.getPrediction(version.id, first.id)) === undefined;
  }

  /**
   * The active version still to be predicted on every image (once per session), or null. The
   * caller predicts it in the background and reports through trackBackgroundPredictions.
   */
  takePendingPredictions(): ModelVersion | null {
    const pending = this.pending;
    this.pending = null;
    return pending !== null && pending.id === this.model?.id ? pending : null;
  }

  /** Follows a background prediction of a version, so prediction() can say what is going on. */
  trackBackgroundPredictions(modelId: number, work: Promise<unknown>): void {
    const state: BackgroundPredictions = { modelId, running: true, error: null };
    this.background = state;
    work.then(
      () => {
        state.running = false;
        this.forgetPredictions();
      },
      (error: unknown) => {
        state.running = false;
        state.error = error instanceof Error ? error.message : String(error);
      },
    );
  }

  /** Lists in the project every dataset image it does not know yet (new files, new project). */
  private static async addMissingImages(project: Project, dataset: DatasetIndex): Promise<void> {
    const known = new Set((await project.listImages()).map((i) => i.key));
    const inputs: ImageInput[] = [];
    for (const e of allEntries(dataset)) {
      if (known.has(e.id)) continue;
      inputs.push({
        key: e.id,
        split: e.split,
        name: e.name,
        width: e.width,
        height: e.height,
        files: {
          image: e.imagePath,
          'label-1st': e.labelPaths['1st'],
          'label-2nd': e.labelPaths['2nd'],
          ...(e.fovPath ? { fov: e.fovPath } : {}),
        },
      });
    }
    if (inputs.length > 0) await project.addImages(inputs);
  }

  info(): StudioSessionInfo {
    return {
      datasetRoot: this.dataset.root,
      layout: this.dataset.layout,
      projectFile: this.project.file,
      projectCreated: this.projectCreated,
      imageCount: this.entries.size,
      problems: this.dataset.problems.map(({ code, message, file }) => ({ code, message, file })),
      model: this.model ? { id: this.model.id, name: this.model.name } : null,
      modelMissingReason: this.model
        ? null
        : (this.bundledProblem ?? 'No model in this project yet: train one to see predictions.'),
    };
  }

  /** The model version whose predictions and figures are shown, or null. */
  get activeModel(): ModelVersion | null {
    return this.model;
  }

  /** Makes another model version active (after training, or chosen by the person). */
  async setActiveModel(version: ModelVersion | null): Promise<void> {
    this.model = version;
    this.forgetPredictions();
  }

  /** Drops cached probabilities and figures, e.g. after new predictions were stored. */
  forgetPredictions(): void {
    this.probabilityCache.clear();
    this.predictionPngCache.clear();
    this.figureCache.clear();
  }

  /** The current mask of an image as 0/1 pixels: its latest revision, else its 1st label. */
  async currentMaskData(id: string): Promise<{ width: number; height: number; data: Uint8Array }> {
    const entry = this.entry(id);
    const latest = await this.latestRevision(id);
    return {
      width: entry.width,
      height: entry.height,
      data: await this.currentMask(entry, latest?.id ?? null),
    };
  }

  entry(id: string): ImageEntry {
    const entry = this.entries.get(id);
    if (!entry) {
      throw new AppError(
        STUDIO_ERROR_CODES.UNKNOWN_IMAGE,
        `The dataset ${this.dataset.root} has no image "${id}": pick one from the image list.`,
      );
    }
    return entry;
  }

  async listImages(): Promise<StudioImageList> {
    const latest = new Map((await this.project.latestMaskRevisions()).map((r) => [r.imageKey, r]));
    const rows = [];
    for (const entry of this.entries.values()) {
      const revision = latest.get(entry.id) ?? null;
      const figures = await this.figures(entry, revision?.id ?? null);
      rows.push({ entry, revision, figures });
    }
    const order = correctNextOrder(rows.map((r) => ({ id: r.entry.id, figures: r.figures })));
    return {
      images: rows.map(({ entry, revision, figures }) => ({
        id: entry.id,
        split: entry.split,
        name: entry.name,
        width: entry.width,
        height: entry.height,
        observers: (['1st', '2nd'] as const).filter((o) => entry.labelPaths[o] !== undefined),
        corrected: revision !== null,
        latestRevisionId: revision?.id ?? null,
        f1: figures?.f1 ?? null,
        auc: figures?.auc ?? null,
        uncertainty: figures?.uncertainty ?? null,
        disagreement: figures?.disagreement ?? null,
        correctNextRank: order.get(entry.id) ?? rows.length,
      })),
      orderNote: this.model
        ? `Correct next: highest uncertainty + disagreement of model "${this.model.name}" first; images without a cached prediction last.`
        : 'No model yet: images in dataset order.',
    };
  }

  /** Figures of the active model on one image, when its prediction is cached. */
  private async figures(
    entry: ImageEntry,
    revisionId: number | null,
  ): Promise<ImageFigures | null> {
    if (!this.model) return null;
    const key = `${entry.id}@${revisionId ?? 'label'}`;
    const cached = this.figureCache.get(key);
    if (cached) return cached;
    const probabilities = await this.probabilities(entry);
    if (!probabilities) return null;
    const mask = await this.currentMask(entry, revisionId);
    const fov = await this.fov(entry);
    const figures = imageFigures(entry.id, probabilities, mask, fov);
    this.figureCache.set(key, figures);
    return figures;
  }

  private probabilities(entry: ImageEntry): Promise<Float32Array | null> {
    const model = this.model;
    if (!model) return Promise.resolve(null);
    return this.probabilityCache.get(entry.id, async () => {
      const cached = await this.project.getPrediction(model.id, entry.id);
      return cached && cached.width === entry.width && cached.height === entry.height
        ? cached.probabilities
        : null;
    });
  }

  private fov(entry: ImageEntry): Promise<Uint8Array> {
    return this.fovCache.get(entry.id, () => loadFov(entry));
  }

  private async currentMask(entry: ImageEntry, revisionId: number | null): Promise<Uint8Array> {
    if (revisionId === null) return loadLabel(entry, '1st');
    return (await this.project.loadMaskRevision(revisionId)).mask.data;
  }

  async image(id: string, prefetchNeighbours = true): Promise<StudioImagePixels> {
    const entry = this.entry(id);
    if (prefetchNeighbours) this.prefetchAround(id);
    return this.imageCache.get(id, async () => {
      const rgb = await loadRgb(entry);
      return {
        id,
        width: rgb.width,
        height: rgb.height,
        png: await rgbPng(rgb.data, rgb.width, rgb.height),
      };
    });
  }

  /**
   * Starts preparing the images next to `id` in dataset order (pixels, labels and the active
   * model's prediction), so stepping through the list finds them encoded already. Failures are
   * dropped here; the real request reports them.
   */
  private prefetchAround(id: string): void {
    const ids = [...this.entries.keys()];
    const at = ids.indexOf(id);
    for (const near of [ids[at + 1], ids[at - 1]]) {
      if (near === undefined) continue;
      setImmediate(() => {
        void this.image(near, false).catch(() => undefined);
        void this.labels(near).catch(() => undefined);
        void this.predictionPng(near).catch(() => undefined);
      });
    }
  }

  async labels(id: string): Promise<StudioLabels> {
    const entry = this.entry(id);
    return this.labelCache.get(id, async () => {
      const { width, height } = entry;
      const first = await loadLabel(entry, '1st');
      const second = entry.labelPaths['2nd'] ? await loadLabel(entry, '2nd') : null;
      const fov = await this.fov(entry);
      return {
        id,
        width,
        height,
        firstObserver: encodeMaskRuns(first),
        secondObserver: second ? encodeMaskRuns(second) : null,
        fov: encodeMaskRuns(fov),
        fovDerived: entry.fovDerived,
      };
    });
  }

  async prediction(id: string): Promise<StudioPrediction> {
    const entry = this.entry(id);
    if (!this.model) {
      return { available: false, id, reason: this.info().modelMissingReason ?? 'No model.' };
    }
    const model = this.model;
    const png = await this.predictionPng(id);
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

  /** The active model's stored prediction of an image as an 8-bit grey PNG; null when it has none. */
  private predictionPng(id: string): Promise<Uint8Array | null> {
    const entry = this.entry(id);
    const model = this.model;
    if (!model) return Promise.resolve(null);
    // Keyed by model too: a request still encoding for the previous model cannot answer for this one.
    return this.predictionPngCache.get(`${model.id}:${id}`, async () => {
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

  private async latestRevision(id: string): Promise<MaskRevision | null> {
    const revisions = await this.project.listMaskRevisions(id);
    return revisions.at(-1) ?? null;
  }

  async mask(id: string): Promise<StudioMask> {
    const entry = this.entry(id);
    const latest = await this.latestRevision(id);
    if (latest) {
      return {
        id,
        width: latest.width,
        height: latest.height,
        runs: encodeMaskRuns((await this.project.loadMaskRevision(latest.id)).mask.data),
        source: 'revision',
        revisionId: latest.id,
      };
    }
    const labels = await this.labels(id);
    return {
      id,
      width: entry.width,
      height: entry.height,
      runs: labels.firstObserver,
      source: 'label',
      revisionId: null,
    };
  }

  /** Appends a revision; the PNG is decoded and checked against the image size first. */
  async saveMask(
    id: string,
    png: Uint8Array,
    parentRevisionId: number | null,
    note: string,
  ): Promise<StudioRevision> {
    const entry = this.entry(id);
    let mask;
    try {
      mask = await decodePngMask(png);
    } catch (error) {
      throw new AppError(
        STUDIO_ERROR_CODES.MASK_SIZE,
        `The mask for ${id} is not a readable PNG (${String(error)}): nothing was saved; try again.`,
      );
    }
    if (mask.width !== entry.width || mask.height !== entry.height) {
      throw new AppError(
        STUDIO_ERROR_CODES.MASK_SIZE,
        `The mask for ${id} is ${mask.width}x${mask.height} but the image is ${entry.width}x${entry.height}: nothing was saved.`,
      );
    }
    const revision = await this.project.saveMaskRevision(
      id,
      { kind: 'binary', width: mask.width, height: mask.height, data: mask.data },
      { parentId: parentRevisionId, note },
    );
    return toStudioRevision(revision);
  }

  async revisions(id: string): Promise<StudioRevision[]> {
    this.entry(id);
    return (await this.project.listMaskRevisions(id)).map(toStudioRevision).reverse();
  }

  async restoreRevision(
    id: string,
    revisionId: number,
  ): Promise<{ revision: StudioRevision; mask: StudioMask }> {
    this.entry(id);
    const owned = (await this.project.listMaskRevisions(id)).some((r) => r.id === revisionId);
    if (!owned) {
      throw new AppError(
        'PROJECT_UNKNOWN_REVISION',
        `Revision ${revisionId} is not a revision of ${id}: pick one from its history.`,
      );
    }
    const revision = await this.project.restoreMaskRevision(revisionId);
    return { revision: toStudioRevision(revision), mask: await this.mask(id) };
  }

  close(): Promise<void> {
    return this.project.close();
  }
}
