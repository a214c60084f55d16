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
 * of predictions drops, and that preparing a neighbour includes its prediction. The session
 * also holds its prediction queue (prediction-queue.ts, started by background-predictions.ts):
 * the image on screen it predicts first, and its pause, resume and cancel on close.
 */
import type {
  PredictionQueueState,
  StudioImageList,
  StudioImagePixels,
  StudioLabels,
  StudioMask,
  StudioPrediction,
  StudioRevision,
  StudioSessionInfo,
  StudioThumbnail,
} from '../../../shared/api/studio';
import type { DatasetIndex, ImageEntry } from '../dataset';
import type { PredictedImage } from '../../compute/predict-dataset';
import type { ModelVersion, Project } from '../project';
import { Corrections, type MaskData } from './corrections';
import { ImageList } from './image-list';
import { ImageServing } from './image-serving';
import { openStudio, type OpenedStudio, type OpenStudioOptions } from './open';
import type { PredictionQueue, QueueFocus } from './prediction-queue';
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
  private queue: PredictionQueue | null = null;
  /** Seconds per image of the queues replaced so far (the newest that measured one). */
  private lastSecondsPerImage: number | null = null;
  private createQueue: ((version: ModelVersion) => PredictionQueue) | null = null;
  private focus: QueueFocus = { id: null, order: null };
  /** Exact probabilities the queue made, kept for the evaluation that follows it. */
  private exact: { modelId: number; flips: boolean; images: Map<string, PredictedImage> } | null =
    null;

  private constructor(opened: OpenedStudio) {
    this.dataset = opened.dataset;
    this.project = opened.project;
    this.projectCreated = opened.created;
    // Stepping to an image prepares its neighbours' predictions along with their pixels.
    this.images = new ImageServing(opened.dataset, (id) => this.predictions.png(id));
    this.predictions = new PredictionServing(opened.project, this.images, opened);
    this.corrections = new Corrections(opened.project, this.images);
    this.list = new ImageList(opened.project, this.images, this.predictions, this.corrections);
    this.predictions.followQueue(() => this.queue?.state() ?? null);
  }

  /**
   * Opens a dataset and/or a project. A dataset alone gets its automatic project (see
   * project-location.ts); a project alone opens the dataset folder it records.
   */
  static async open(options: OpenStudioOptions): Promise<StudioSession> {
    return new StudioSession(await openStudio(options));
  }

  /**
   * How this session makes prediction queues (background-predictions.ts); from now on the
   * active version, and each version made active later, is predicted where it has no prediction.
   */
  usePredictionQueues(create: (version: ModelVersion) => PredictionQueue): void {
    this.createQueue = create;
  }

  /**
   * Predicts a version (the active one by default) on the images that lack its prediction, in a
   * new queue that replaces any other; a queue already running for it is kept. Returns the work
   * (it never rejects), or null without a version or a way to make queues.
   */
  predictInBackground(version = this.activeModel): Promise<unknown> | null {
    if (!version || !this.createQueue) return null;
    if (this.queue?.modelId === version.id && this.queue.running) {
      return this.queue.whenFinished();
    }
    void this.queue?.cancel();
    this.lastSecondsPerImage = this.secondsPerPrediction();
    this.queue = this.createQueue(version);
    return this.queue.start();
  }

  /**
   * Seconds the prediction queue took per image (its moving average, the newest queue that
   * measured one), or null when no image was predicted this session.
   */
  secondsPerPrediction(): number | null {
    return this.queue?.measuredSecondsPerImage ?? this.lastSecondsPerImage;
  }

  /** The prediction queue's state, or null when none ran in this session. */
  predictionQueue(): PredictionQueueState | null {
    return this.queue?.state() ?? null;
  }

  /** Pauses the prediction queue after the image in flight. */
  pausePredictions(): PredictionQueueState | null {
    return this.queue?.pause() ?? null;
  }

  /** Resumes the paused prediction queue. */
  resumePredictions(): PredictionQueueState | null {
    return this.queue?.resume() ?? null;
  }

  /**
   * Names the image on screen and the list order shown (the queue predicts that image next,
   * then its neighbours); throws STUDIO_UNKNOWN_IMAGE for an id the dataset lacks.
   */
  focusImage(id: string, order: readonly string[] | null = null): PredictionQueueState | null {
    this.images.entry(id);
    this.focus = { id, order: order ?? this.focus.order };
    return this.predictionQueue();
  }

  /** The image on screen and the list order, as last named (ids may be null). */
  focused(): QueueFocus {
    return this.focus;
  }

  /** A version's prediction of an image was stored: the next request for it reads it. */
  predictionStored(id: string): void {
    this.predictions.stored(id);
  }

  /** Keeps exact probabilities a queue made for the evaluation of the version that follows. */
  keepExactPredictions(modelId: number, flips: boolean, images: Map<string, PredictedImage>): void {
    this.exact = { modelId, flips, images };
  }

  /**
   * The exact probabilities kept for a version predicted with `flips`, handed over once (the
   * prediction cache holds 8-bit maps, enough to show but not to score); empty when none are.
   */
  takeExactPredictions(modelId: number, flips: boolean): Map<string, PredictedImage> {
    const exact = this.exact;
    if (exact?.modelId !== modelId) return new Map();
    this.exact = null;
    return exact.flips === flips ? exact.images : new Map();
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

  /**
   * Makes another model version active (after training, or chosen by the person) and predicts
   * it on the images that lack its prediction; until then the previous version's stand in.
   */
  async setActiveModel(version: ModelVersion | null): Promise<void> {
    this.predictions.activate(version);
    this.list.forget();
    if (version) void this.predictInBackground(version);
    else void this.queue?.cancel();
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

  /** Every image with its corrections and figures, ranked "correct next", scored at `threshold`. */
  listImages(threshold?: number): Promise<StudioImageList> {
    return this.list.list(threshold);
  }

  /** A small JPEG of an image for the image list. */
  thumbnail(id: string): Promise<StudioThumbnail> {
    return this.images.thumbnail(id);
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

  /** Cancels the prediction queue and closes the project (releasing its lock). */
  async close(): Promise<void> {
    await this.queue?.cancel();
    await this.project.close();
  }
}
