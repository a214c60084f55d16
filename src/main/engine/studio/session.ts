/**
 * The studio session: one open dataset with its project file, and the caches that make an
 * image switch cheap. Every mask the person saves goes to the project as an append-only
 * revision; nothing is ever written into the dataset folder.
 *
 * StudioSession is the facade the engine uses (the studio requests, training, the holder).
 * Opening is open.ts's; each concern has its own module that the methods here hand on to:
 * image-serving.ts (pixels, labels, FOV, neighbour preparation), predictions.ts (the active
 * model and its cached predictions), corrections.ts (mask revisions) and image-list.ts (the
 * list with each image's figures). What spans modules is decided here: which caches a change
 * of predictions drops, and that preparing a neighbour includes its prediction.
 */
import type {
  StudioImageList,
  StudioImagePixels,
  StudioLabels,
  StudioMask,
  StudioPrediction,
  StudioRevision,
  StudioSessionInfo,
} from '../../../shared/api/studio';
import type { DatasetIndex, ImageEntry } from '../dataset';
import type { ModelVersion, Project } from '../project';
import { Corrections, type MaskData } from './corrections';
import { ImageList } from './image-list';
import { ImageServing } from './image-serving';
import { openStudio, type OpenedStudio, type OpenStudioOptions } from './open';
import { PredictionServing } from './predictions';

export { STUDIO_ERROR_CODES } from './errors';
export type { OpenStudioOptions } from './open';

/** One open dataset and project, serving the studio's requests. Get one from StudioSession.open. */
export class StudioSession {
  readonly dataset: DatasetIndex;
  readonly project: Project;
  private readonly projectCreated: boolean;
  private readonly images: ImageServing;
  private readonly predictions: PredictionServing;
  private readonly corrections: Corrections;
  private readonly list: ImageList;

  private constructor(opened: OpenedStudio) {
    this.dataset = opened.dataset;
    this.project = opened.project;
    this.projectCreated = opened.created;
    // Stepping to an image prepares its neighbours' predictions along with their pixels.
    this.images = new ImageServing(opened.dataset, (id) => this.predictions.png(id));
    this.predictions = new PredictionServing(opened.project, this.images, opened);
    this.corrections = new Corrections(opened.project, this.images);
    this.list = new ImageList(opened.project, this.images, this.predictions, this.corrections);
  }

  /**
   * Opens a dataset and/or a project. A dataset alone gets its automatic project (see
   * project-location.ts); a project alone opens the dataset folder it records.
   */
  static async open(options: OpenStudioOptions): Promise<StudioSession> {
    return new StudioSession(await openStudio(options));
  }

  /**
   * The active version still to be predicted on every image (once per session), or null. The
   * caller predicts it in the background and reports through trackBackgroundPredictions.
   */
  takePendingPredictions(): ModelVersion | null {
    return this.predictions.takePending();
  }

  /** Follows a background prediction of a version, so prediction() can say what is going on. */
  trackBackgroundPredictions(modelId: number, work: Promise<unknown>): void {
    this.predictions.track(modelId, work, () => this.forgetPredictions());
  }

  /** What is open, for the front ends: dataset, project, image count, problems and model. */
  info(): StudioSessionInfo {
    const model = this.predictions.active;
    return {
      datasetRoot: this.dataset.root,
      layout: this.dataset.layout,
      projectFile: this.project.file,
      projectCreated: this.projectCreated,
      imageCount: this.images.size,
      problems: this.dataset.problems.map(({ code, message, file }) => ({ code, message, file })),
      model: model ? { id: model.id, name: model.name } : null,
      modelMissingReason: this.predictions.missingModelReason(),
    };
  }

  /** The model version whose predictions and figures are shown, or null. */
  get activeModel(): ModelVersion | null {
    return this.predictions.active;
  }

  /** Makes another model version active (after training, or chosen by the person). */
  async setActiveModel(version: ModelVersion | null): Promise<void> {
    this.predictions.activate(version);
    this.list.forget();
  }

  /** Drops cached probabilities and figures, e.g. after new predictions were stored. */
  forgetPredictions(): void {
    this.predictions.forget();
    this.list.forget();
  }

  /** The current mask of an image as 0/1 pixels: its latest revision, else its 1st label. */
  currentMaskData(id: string): Promise<MaskData> {
    return this.corrections.currentMaskData(id);
  }

  /** The dataset's image `id`; throws STUDIO_UNKNOWN_IMAGE when there is none. */
  entry(id: string): ImageEntry {
    return this.images.entry(id);
  }

  /** Every image with its corrections and figures, ranked "correct next". */
  listImages(): Promise<StudioImageList> {
    return this.list.list();
  }

  /** An image's pixels as a PNG; by default also starts preparing its neighbours. */
  image(id: string, prefetchNeighbours = true): Promise<StudioImagePixels> {
    return this.images.image(id, prefetchNeighbours);
  }

  /** An image's observer labels and FOV, as mask runs. */
  labels(id: string): Promise<StudioLabels> {
    return this.images.labels(id);
  }

  /** The active model's prediction of an image, or why there is none. */
  prediction(id: string): Promise<StudioPrediction> {
    return this.predictions.prediction(id);
  }

  /** The current mask of an image as mask runs (its latest revision, else its 1st label). */
  mask(id: string): Promise<StudioMask> {
    return this.corrections.mask(id);
  }

  /** Appends a revision; the PNG is decoded and checked against the image size first. */
  saveMask(
    id: string,
    png: Uint8Array,
    parentRevisionId: number | null,
    note: string,
  ): Promise<StudioRevision> {
    return this.corrections.saveMask(id, png, parentRevisionId, note);
  }

  /** An image's revisions, newest first. */
  revisions(id: string): Promise<StudioRevision[]> {
    return this.corrections.revisions(id);
  }

  /** Makes an earlier revision of an image current again; returns the new revision and mask. */
  restoreRevision(
    id: string,
    revisionId: number,
  ): Promise<{ revision: StudioRevision; mask: StudioMask }> {
    return this.corrections.restoreRevision(id, revisionId);
  }

  /** Closes the project (releasing its lock). */
  close(): Promise<void> {
    return this.project.close();
  }
}
