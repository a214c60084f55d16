/**
 * A Vessel Studio project: one SQLite file (`*.vessel`) holding the dataset's image list, every
 * mask correction, model version, run, evaluation, the view settings and a prediction cache.
 *
 * Open it with `createProject` / `openProject` (open.ts). One process writes (it holds the project's
 * lock); others may open it read-only. Every write is one transaction, in WAL mode with
 * synchronous=FULL, so what a call acknowledged survives a killed process and a power cut.
 *
 * Project is the facade the rest of the app uses: the connection, lock, transactions and backups
 * are ProjectDatabase's (database.ts), and each kind of record has its own module (images.ts,
 * relocation.ts, revisions.ts, runs.ts, models.ts, model-files.ts, evaluations.ts,
 * view-settings-store.ts, prediction-cache.ts, meta.ts) that the methods here hand on to.
 */
import { ProjectDatabase } from './database';
import * as evaluations from './evaluations';
import * as images from './images';
import type { ProjectLock } from './lock';
import type { BinaryMask } from './mask-codec';
import * as meta from './meta';
import * as modelFiles from './model-files';
import * as models from './models';
import * as predictions from './prediction-cache';
import { relocate } from './relocation';
import * as revisions from './revisions';
import { verifyBlobs, type DamagedBlob } from './verify';
import * as runs from './runs';
import type { SqliteDatabase } from './sqlite';
import type {
  CachedPrediction,
  Evaluation,
  EvaluationInput,
  ImageFileRole,
  ImageInput,
  MaskInput,
  MaskRevision,
  ModelVersion,
  ModelVersionInput,
  ProjectImage,
  ProjectInfo,
  RelocationReport,
  Run,
  RunKind,
  TrainingMask,
} from './types';
import type { ViewSettings } from './view-settings';
import * as viewSettings from './view-settings-store';

/** How openProject opens a project. */
export interface OpenProjectOptions {
  /** Open without the lock and without writing anything (also for a project open elsewhere). */
  readOnly?: boolean;
  /** Recorded in the file as the writer's version. */
  appVersion?: string;
  /**
   * On close, a rolling backup (`<file>.bak`) is written when this session wrote something and
   * the last backup is older than this. 0 backs up on every close that follows a write.
   */
  backupIntervalMs?: number;
}

/** What createProject makes a project from. */
export interface CreateProjectOptions extends Omit<OpenProjectOptions, 'readOnly'> {
  /** The dataset folder; image paths are stored relative to it. */
  datasetRoot: string;
  images?: ImageInput[];
}

/** One open project. Get one from createProject or openProject; close it when done. */
export class Project {
  private constructor(
    /** The project file, absolute. */
    readonly file: string,
    private readonly database: ProjectDatabase,
  ) {}

  /** @internal Used by createProject/openProject. */
  static attach(
    file: string,
    db: SqliteDatabase,
    lock: ProjectLock | null,
    options: OpenProjectOptions,
    created = false,
  ): Project {
    return new Project(
      file,
      new ProjectDatabase(file, db, lock, options.backupIntervalMs, created),
    );
  }

  /** True when opened read-only: every write refuses with PROJECT_READ_ONLY. */
  get readOnly(): boolean {
    return this.database.readOnly;
  }

  /** True once close() has begun: every call then refuses with PROJECT_CLOSED. */
  get isClosed(): boolean {
    return this.database.isClosed;
  }

  // ---------------------------------------------------------------- lifecycle and facts

  /**
   * Closes the project: writes the rolling backup when due, closes the file (SQLite
   * checkpoints the WAL into it) and drops the lock. Safe to call twice.
   */
  close(): Promise<void> {
    return this.database.close();
  }

  /** Writes a consistent copy of the project to `target` (default: the rolling `<file>.bak`). */
  backup(target?: string): Promise<string> {
    return this.database.backup(target);
  }

  /**
   * Reads every mask revision and model file and compares its bytes with the stored SHA-256;
   * returns the damaged ones (empty when all are sound).
   */
  verifyBlobs(): Promise<DamagedBlob[]> {
    return verifyBlobs(this.database);
  }

  /** Runs SQLite's full integrity check; returns its messages (['ok'] when sound). */
  integrityCheck(): Promise<string[]> {
    return this.database.integrityCheck();
  }

  /** The dataset folder image paths are relative to (absolute). */
  datasetRoot(): Promise<string> {
    return meta.datasetRoot(this.database);
  }

  /** One project_meta value (e.g. `held_out_split`), or null when the file has none. */
  metaValue(key: string): Promise<string | null> {
    return this.database.read((db) => meta.metaValue(db, key));
  }

  /** Sets one project_meta value. */
  setMetaValue(key: string, value: string): Promise<void> {
    return this.database.write((db) => meta.setMetaValue(db, key, value));
  }

  /** Counts of everything the project holds, for `project info` and the UI. */
  info(): Promise<ProjectInfo> {
    return meta.projectInfo(this.database);
  }

  // ---------------------------------------------------------------- images

  /**
   * Adds images (reading each file for its size and SHA-256). Keys already present are
   * refused: an image's files are facts of the dataset, not something to overwrite.
   */
  addImages(inputs: ImageInput[]): Promise<void> {
    return images.addImages(this.database, inputs);
  }

  /** Every image with its files, in key order. */
  listImages(): Promise<ProjectImage[]> {
    return images.listImages(this.database);
  }

  /** The absolute path of one of an image's files under the current dataset root. */
  imageFilePath(imageKey: string, role: ImageFileRole = 'image'): Promise<string> {
    return images.imageFilePath(this.database, imageKey, role);
  }

  /** Image files missing (or of another size) under the current root: non-empty means relocate. */
  missingImageFiles(): Promise<RelocationReport['missing']> {
    return images.missingImageFiles(this.database);
  }

  /**
   * Finds the images again under `folder` (their dataset moved): files are matched by size and
   * SHA-256, so renamed subfolders still match. Where one content appears more than once
   * (identical FOV masks), the path sharing the longest tail with the old path wins.
   * The folder becomes the new dataset root; files not found are reported and keep their path.
   */
  relocate(folder: string): Promise<RelocationReport> {
    return relocate(this.database, folder);
  }

  // ---------------------------------------------------------------- mask revisions

  /**
   * Appends a correction of an image's mask. Its parent is the image's latest revision unless
   * given (editing on top of an older state); revisions are never changed afterwards.
   */
  saveMaskRevision(
    imageKey: string,
    mask: MaskInput,
    options: { note?: string; parentId?: number | null } = {},
  ): Promise<MaskRevision> {
    return revisions.saveMaskRevision(this.database, imageKey, mask, options);
  }

  /** Revisions of one image (or all images), oldest first. */
  listMaskRevisions(imageKey?: string): Promise<MaskRevision[]> {
    return revisions.listMaskRevisions(this.database, imageKey);
  }

  /** The latest revision of every corrected image: the current corrected masks. */
  latestMaskRevisions(): Promise<MaskRevision[]> {
    return revisions.latestMaskRevisions(this.database);
  }

  /**
   * The labels a training run on these images uses now: each image's latest revision, or null
   * where it was never corrected (its original label file). Pass the result as `trainedOn`.
   */
  currentTrainingMasks(imageKeys: string[]): Promise<TrainingMask[]> {
    return revisions.currentTrainingMasks(this.database, imageKeys);
  }

  /** One revision's record and its stored bytes (PNG or deflated run lengths, see `encoding`). */
  maskRevisionBytes(id: number): Promise<{ revision: MaskRevision; bytes: Uint8Array }> {
    return revisions.maskRevisionBytes(this.database, id);
  }

  /** One revision decoded to a 0/1 mask. */
  loadMaskRevision(id: number): Promise<{ revision: MaskRevision; mask: BinaryMask }> {
    return revisions.loadMaskRevision(this.database, id);
  }

  /** One revision as PNG bytes (0/255 grey), encoding it when it is stored as run lengths. */
  maskRevisionPng(id: number): Promise<Uint8Array> {
    return revisions.maskRevisionPng(this.database, id);
  }

  /** Makes an earlier state current again by appending a copy of it (history stays intact). */
  restoreMaskRevision(id: number, note?: string): Promise<MaskRevision> {
    return revisions.restoreMaskRevision(this.database, id, note);
  }

  // ---------------------------------------------------------------- runs

  /** Records a new run in state `queued`. */
  createRun(input: { kind: RunKind; config: unknown }): Promise<Run> {
    return runs.createRun(this.database, input);
  }

  /** One run; PROJECT_UNKNOWN_RUN when there is none. */
  getRun(id: number): Promise<Run> {
    return runs.getRun(this.database, id);
  }

  /** Every run, newest first. */
  listRuns(): Promise<Run[]> {
    return runs.listRuns(this.database);
  }

  /** queued -> running. */
  startRun(id: number): Promise<Run> {
    return runs.startRun(this.database, id);
  }

  /** running -> finished. */
  finishRun(id: number): Promise<Run> {
    return runs.finishRun(this.database, id);
  }

  /** queued or running -> cancelled. */
  cancelRun(id: number): Promise<Run> {
    return runs.cancelRun(this.database, id);
  }

  /** queued or running -> failed, keeping the error's code and message. */
  failRun(id: number, error: { code: string; message: string }): Promise<Run> {
    return runs.failRun(this.database, id, error);
  }

  // ---------------------------------------------------------------- model versions

  /**
   * Stores a model version with the files of its tfjs model folder. model.json must parse and
   * every weight file its manifest names must be among the files, so a stored version can
   * always be loaded again.
   */
  addModelVersion(input: ModelVersionInput): Promise<ModelVersion> {
    return models.addModelVersion(this.database, input);
  }

  /** Stores a model version from a tfjs model folder on disk (every file directly in it). */
  addModelVersionFromDir(
    dir: string,
    input: Omit<ModelVersionInput, 'files'>,
  ): Promise<ModelVersion> {
    return models.addModelVersionFromDir(this.database, dir, input);
  }

  /** One model version (without its files' bytes); PROJECT_UNKNOWN_MODEL when there is none. */
  getModelVersion(id: number): Promise<ModelVersion> {
    return models.getModelVersion(this.database, id);
  }

  /** Model versions (without files' bytes), oldest first; deleted ones only when asked for. */
  listModelVersions(options: { includeDeleted?: boolean } = {}): Promise<ModelVersion[]> {
    return models.listModelVersions(this.database, options);
  }

  /** Renames a model version (names are for people; ids stay). */
  renameModelVersion(id: number, name: string): Promise<ModelVersion> {
    return models.renameModelVersion(this.database, id, name);
  }

  /**
   * Deletes a model version's weights and cached predictions (the bulk of a project). Its record
   * stays, marked deleted, so children keep their parent and evaluations keep their model.
   */
  deleteModelVersion(id: number): Promise<ModelVersion> {
    return models.deleteModelVersion(this.database, id);
  }

  /** The bytes of a model version's files by name (model.json, weight shards, ...). */
  readModelFiles(id: number): Promise<Record<string, Uint8Array>> {
    return modelFiles.readModelFiles(this.database, id);
  }

  /** Writes a model version as a tfjs model folder (loadable by tf.loadLayersModel / loadModelDir). */
  writeModelDir(id: number, dir: string): Promise<string[]> {
    return modelFiles.writeModelDir(this.database, id, dir);
  }

  // ---------------------------------------------------------------- evaluations

  /** Stores an evaluation: protocol, pooled and per-image metrics, ROC and PR points. */
  addEvaluation(input: EvaluationInput): Promise<Evaluation> {
    return evaluations.addEvaluation(this.database, input);
  }

  /** One evaluation; PROJECT_UNKNOWN_EVALUATION when there is none. */
  getEvaluation(id: number): Promise<Evaluation> {
    return evaluations.getEvaluation(this.database, id);
  }

  /** Evaluations (of one model version, or all), oldest first. */
  listEvaluations(modelVersionId?: number): Promise<Evaluation[]> {
    return evaluations.listEvaluations(this.database, modelVersionId);
  }

  // ---------------------------------------------------------------- view settings

  /** The saved view settings; keys never saved (or saved in a shape no longer valid) get defaults. */
  getViewSettings(): Promise<ViewSettings> {
    return viewSettings.getViewSettings(this.database);
  }

  /** Saves some view settings; refuses unknown keys and values outside their schema. */
  updateViewSettings(update: Partial<ViewSettings>): Promise<ViewSettings> {
    return viewSettings.updateViewSettings(this.database, update);
  }

  // ---------------------------------------------------------------- prediction cache

  /**
   * Caches a model version's probabilities for an image (lossless: deflated Float32), replacing
   * an earlier entry for the same inference options.
   */
  putPrediction(
    modelVersionId: number,
    imageKey: string,
    prediction: predictions.PredictionInput,
    optionsKey = '',
  ): Promise<void> {
    return predictions.putPrediction(
      this.database,
      modelVersionId,
      imageKey,
      prediction,
      optionsKey,
    );
  }

  /** A cached prediction, or undefined when there is none. */
  getPrediction(
    modelVersionId: number,
    imageKey: string,
    optionsKey = '',
  ): Promise<CachedPrediction | undefined> {
    return predictions.getPrediction(this.database, modelVersionId, imageKey, optionsKey);
  }

  /** Drops cached predictions (of one model version, or all); they can always be recomputed. */
  clearPredictions(modelVersionId?: number): Promise<number> {
    return predictions.clearPredictions(this.database, modelVersionId);
  }
}
