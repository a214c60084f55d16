/**
 * One-click retrain and evaluate for the open studio session. A run fine-tunes the active
 * model version (or trains a preset from scratch) on the current masks, corrections weighted
 * up, in the compute process; the best checkpoint becomes a new model version, which is made
 * active, predicted on every image (cached for the canvas) and evaluated on the test split.
 * The validation split is fixed per project; test images are never trained on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  RETRAIN_DEFAULTS,
  type EvaluationView,
  type MetricDelta,
  type ModelComparison,
  type ModelVersionSummary,
  type ProjectSplit,
  type RetrainSettingsInput,
  type TrainingProgress,
  type TrainingRunState,
} from '../../../shared/api/training';
import {
  flipsFor,
  MODEL_PRESET_NAMES,
  modelConfigSchema,
  modelPreset,
  type ModelConfig,
  type ModelPresetName,
} from '../../../shared/model-config';
import { defaultRetrainSettings, withRetrainDefaults } from '../../../shared/retrain-defaults';
import { AppError, COMMON_ERROR_CODES, toErrorInfo } from '../../../shared/result';
import type { ComputeHost } from '../../compute/host';
import type { TrainProgress, TrainSummary } from '../../compute/train/job';
import { isTestImage, splitByImage } from '../../compute/train/split';
import type { EngineContext } from '../context';
import { allEntries, loadFov, loadLabel, type ImageEntry } from '../dataset';
import type { ScoredImage } from '../metrics';
import {
  evaluateObserverOnSplit,
  evaluateSplit,
  type LabelledImage,
} from '../metrics/split-evaluation';
import { readModelMeta } from '../model/files';
import type { Evaluation as StoredEvaluation, ModelVersion } from '../project';
import type { StudioSession } from '../studio/session';
import { describeProtocol, toEvaluationView } from './evaluation-view';

export const TRAINING_ERROR_CODES = {
  BUSY: 'TRAINING_BUSY',
  MODEL_ACTIVE: 'MODEL_ACTIVE',
  NO_EVALUATION: 'EVALUATION_MISSING',
} as const;

/** The seed of every project's train/validation split: fixed, so retraining never reshuffles it. */
export const PROJECT_SPLIT_SEED = 1;
/** Share of the training images held out for validation (at least one image). */
export const VALIDATION_FRACTION = 0.1;
/** A per-image drop beyond this in F1 or AUC counts as a regression (below it is noise). */
export const REGRESSION_TOLERANCE = 1e-3;

/** What the person should do about a failed run, by error code. */
function actionFor(code: string): string {
  if (code === 'TRAIN_DIVERGED')
    return 'Lower the learning rate in the settings (for example by 10x) and retrain.';
  if (code === 'COMPUTE_CRASHED')
    return 'The compute process was restarted. Retrain; if it crashes again, use a smaller batch or patch size.';
  if (code === 'TRAIN_NO_IMAGES') return 'Open a dataset with a training split.';
  return 'Check the message above, adjust the settings, and retrain.';
}

/** The config a run trains: the parent's when fine-tuning, else the preset; undefined if unknown. */
function trainedConfig(parent: ModelVersion | null, arch: string): ModelConfig | undefined {
  if (parent) {
    const parsed = modelConfigSchema.safeParse(parent.config);
    return parsed.success ? parsed.data : undefined;
  }
  return (MODEL_PRESET_NAMES as readonly string[]).includes(arch)
    ? modelPreset(arch as ModelPresetName)
    : undefined;
}

interface ActiveRun {
  state: TrainingRunState;
  abort: AbortController;
}

export class TrainingService {
  private active: ActiveRun | null = null;
  private last: TrainingRunState | null = null;
  private secondObserver: { root: string; view: EvaluationView | null } | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly session: () => StudioSession,
    private readonly compute: () => ComputeHost,
  ) {}

  /** The fixed split of the open project. */
  split(): ProjectSplit {
    const entries = allEntries(this.session().dataset);
    const usable = entries.filter((e) => !isTestImage(e));
    const split = splitByImage(usable, VALIDATION_FRACTION, PROJECT_SPLIT_SEED);
    return {
      training: split.train,
      validation: split.validation,
      test: entries
        .filter(isTestImage)
        .map((e) => e.id)
        .sort(),
      seed: PROJECT_SPLIT_SEED,
    };
  }

  current(): TrainingRunState | null {
    return this.active?.state ?? this.last;
  }

  /** The active model version: the one the person chose, else the newest. */
  async activeModel(): Promise<ModelVersion | null> {
    const project = this.session().project;
    const versions = await project.listModelVersions();
    const chosen = (await project.getViewSettings()).selectedModelVersion;
    return versions.find((v) => v.id === chosen) ?? versions.at(-1) ?? null;
  }

  /**
   * Starts a run and returns at once; progress and the end arrive as events. Settings left out
   * take Retrain's defaults for the backend in use and the model the run trains.
   */
  async start(given: RetrainSettingsInput): Promise<TrainingRunState> {
    this.refuseIfBusy();
    const session = this.session();
    const fineTune = given.fineTune ?? RETRAIN_DEFAULTS.fineTune;
    const arch = given.arch ?? RETRAIN_DEFAULTS.arch;
    if (!fineTune && !(MODEL_PRESET_NAMES as readonly string[]).includes(arch)) {
      throw new AppError(
        COMMON_ERROR_CODES.BAD_INPUT,
        `Unknown architecture "${arch}"; choose one of ${MODEL_PRESET_NAMES.join(', ')}.`,
      );
    }
    const parent = fineTune ? await this.activeModel() : null;
    const report = await this.ctx.backendReport();
    const settings = withRetrainDefaults(
      given,
      defaultRetrainSettings(report.active, report.adapter, trainedConfig(parent, arch)),
    );
    // A second start may have begun its run while this one waited for the model and backend.
    this.refuseIfBusy();
    const run = await session.project.createRun({
      kind: 'train',
      config: { ...settings, parentModelId: parent?.id ?? null },
    });
    const state: TrainingRunState = {
      runId: run.id,
      status: 'queued',
      settings,
      parentModelId: parent?.id ?? null,
      modelId: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      history: [],
      last: null,
      error: null,
    };
    const active: ActiveRun = { state, abort: new AbortController() };
    this.active = active;
    this.publish(state);
    void this.execute(active, session, parent);
    return state;
  }

  private refuseIfBusy(): void {
    if (!this.active) return;
    throw new AppError(
      TRAINING_ERROR_CODES.BUSY,
      `Run ${this.active.state.runId} is still ${this.active.state.status}: wait for it or cancel it first.`,
    );
  }

  /** Cancels a run: the best checkpoint so far still becomes a model version. */
  cancel(runId: number): { cancelled: boolean } {
    if (!this.active || this.active.state.runId !== runId) return { cancelled: false };
    this.active.abort.abort();
    return { cancelled: true };
  }

  private publish(state: TrainingRunState): void {
    this.ctx.events.emit('training.state', structuredClone(state));
  }

  private update(active: ActiveRun, change: Partial<TrainingRunState>): void {
    active.state = { ...active.state, ...change };
    this.publish(active.state);
  }

  private async execute(
    active: ActiveRun,
    session: StudioSession,
    parent: ModelVersion | null,
  ): Promise<void> {
    const { project, dataset } = session;
    const runId = active.state.runId;
    const settings = active.state.settings;
    const work = await mkdtemp(path.join(os.tmpdir(), `vessel-run-${runId}-`));
    try {
      await project.startRun(runId);
      this.update(active, { status: 'running' });
      const training = allEntries(dataset).filter((e) => !isTestImage(e));
      const { overrides, trainedOn } = await this.currentMasks(
        session,
        training,
        settings.correctionWeight,
      );
      let model: { kind: 'dir'; dir: string } | { kind: 'config'; config: unknown };
      if (parent) {
        const dir = path.join(work, 'parent');
        await project.writeModelDir(parent.id, dir);
        model = { kind: 'dir', dir };
      } else {
        model = { kind: 'config', config: modelPreset(settings.arch as ModelPresetName) };
      }
      const backend = (await this.ctx.backendReport()).active ?? 'cpu';
      const summary: TrainSummary = await this.compute().request(
        'train.run',
        {
          data: { kind: 'folder', root: dataset.root, overrides },
          model,
          outDir: path.join(work, 'out'),
          options: {
            seed: PROJECT_SPLIT_SEED,
            validationFraction: VALIDATION_FRACTION,
            epochs: settings.epochs,
            stepsPerEpoch: settings.stepsPerEpoch,
            batchSize: settings.batchSize,
            patchSize: settings.patchSize,
            learningRate: settings.learningRate,
            augment: settings.augment,
          },
        },
        { signal: active.abort.signal, onProgress: (p) => this.onProgress(active, p, backend) },
      );
      const cancelled = summary.status === 'cancelled';
      if (summary.modelDir === null) {
        await project.cancelRun(runId);
        this.finish(active, { status: 'cancelled', finishedAt: new Date().toISOString() });
        return;
      }
      const meta = await readModelMeta(summary.modelDir);
      const versions = await project.listModelVersions();
      const version = await project.addModelVersionFromDir(summary.modelDir, {
        name: `v${versions.length + 1}${cancelled ? ' (cancelled run)' : ''}`,
        config: meta.config,
        parentId: parent?.id ?? null,
        runId,
        backend: summary.backend,
        epochLog: summary.history.map((h) => ({ ...h })),
        trainedOn,
      });
      await project.updateViewSettings({ selectedModelVersion: version.id });
      await session.setActiveModel(version);
      this.ctx.events.emit('models.changed', { activeId: version.id });
      this.update(active, { status: 'evaluating', modelId: version.id });
      await this.evaluate(version.id, runId);
      if (cancelled) await project.cancelRun(runId);
      else await project.finishRun(runId);
      this.ctx.events.emit('models.changed', { activeId: version.id });
      this.finish(active, {
        status: cancelled ? 'cancelled' : 'finished',
        finishedAt: new Date().toISOString(),
      });
    } catch (error) {
      const info = toErrorInfo(error);
      if (active.abort.signal.aborted && info.code === COMMON_ERROR_CODES.CANCELLED) {
        // Cancelled before a first epoch finished: nothing to keep.
        await project.cancelRun(runId).catch(() => undefined);
        this.finish(active, { status: 'cancelled', finishedAt: new Date().toISOString() });
        return;
      }
      await project
        .failRun(runId, { code: info.code, message: info.message })
        .catch(() => undefined);
      this.finish(active, {
        status: 'failed',
        finishedAt: new Date().toISOString(),
        error: { code: info.code, message: info.message, action: actionFor(info.code) },
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private finish(active: ActiveRun, change: Partial<TrainingRunState>): void {
    this.update(active, change);
    this.last = active.state;
    if (this.active === active) this.active = null;
  }

  private onProgress(active: ActiveRun, p: TrainProgress, backend: string): void {
    if (p.phase === 'preparing' || p.loss === null) return;
    const progress: TrainingProgress = {
      runId: active.state.runId,
      epoch: p.epoch,
      epochs: p.epochs,
      batch: p.batch,
      batchesPerEpoch: p.batchesPerEpoch,
      loss: p.loss,
      valLoss: p.phase === 'epoch' ? p.valLoss : null,
      valF1: p.phase === 'epoch' ? p.valF1 : null,
      valAuc: p.phase === 'epoch' ? p.valAuc : null,
      etaSeconds: p.etaSeconds,
      backend,
    };
    const history =
      p.phase === 'epoch' && !active.state.history.some((h) => h.epoch === p.epoch)
        ? [
            ...active.state.history,
            { epoch: p.epoch, loss: p.loss, valLoss: p.valLoss, valF1: p.valF1 },
          ]
        : active.state.history;
    active.state = { ...active.state, last: progress, history };
    this.ctx.events.emit('training.progress', progress);
  }

  /** The masks training learns from: the latest revision where there is one, with corrected pixels weighted up. */
  private async currentMasks(session: StudioSession, entries: ImageEntry[], weight: number) {
    const latest = new Map(
      (await session.project.latestMaskRevisions()).map((r) => [r.imageKey, r]),
    );
    const overrides: Record<string, { label: Uint8Array; weight: Float32Array }> = {};
    const trainedOn: { imageKey: string; revisionId: number | null }[] = [];
    for (const entry of entries) {
      const revision = latest.get(entry.id);
      trainedOn.push({ imageKey: entry.id, revisionId: revision?.id ?? null });
      if (!revision) continue;
      const { mask } = await session.project.loadMaskRevision(revision.id);
      const original = await loadLabel(entry, '1st');
      const weights = new Float32Array(mask.data.length).fill(1);
      for (let i = 0; i < weights.length; i++)
        if ((mask.data[i] !== 0) !== (original[i] !== 0)) weights[i] = weight;
      overrides[entry.id] = { label: mask.data, weight: weights };
    }
    return { overrides, trainedOn };
  }

  /** Predicts every image with a model version (cached for the canvas) and evaluates it on the test split. */
  async evaluate(modelId: number, runId: number | null = null): Promise<EvaluationView> {
    const session = this.session();
    const { project, dataset } = session;
    const entries = allEntries(dataset);
    const test = entries.filter(isTestImage);
    if (test.length === 0) {
      throw new AppError('EVALUATION_NO_TEST', `${dataset.root} has no test split to evaluate on.`);
    }
    const work = await mkdtemp(path.join(os.tmpdir(), `vessel-eval-${modelId}-`));
    try {
      await project.writeModelDir(modelId, work);
      // Flip averaging as the model's config says, decided here so the protocol says what ran.
      const flips = flipsFor((await readModelMeta(work)).config);
      const predicted = await this.compute().request('predict.dataset', {
        modelDir: work,
        root: dataset.root,
        flips,
        ids: entries.map((e) => e.id),
      });
      const byId = new Map(predicted.map((p) => [p.id, p]));
      for (const p of predicted) await project.putPrediction(modelId, p.id, p);
      const scored = async (entry: ImageEntry, label: Uint8Array): Promise<LabelledImage> => ({
        id: entry.id,
        scores: (byId.get(entry.id) as { probabilities: Float32Array }).probabilities,
        label,
        fov: await loadFov(entry),
      });
      const testScored = await Promise.all(
        test.map(async (e) => scored(e, await loadLabel(e, '1st'))),
      );
      // The training threshold is chosen on the masks as they stand, corrections included.
      const trainingScored: ScoredImage[] = await Promise.all(
        entries
          .filter((e) => !isTestImage(e))
          .map(async (e) => {
            const image = await scored(e, (await session.currentMaskData(e.id)).data);
            return { id: image.id, scores: image.scores, label: image.label, region: image.fov };
          }),
      );
      const evaluation = evaluateSplit({
        images: testScored,
        training: trainingScored,
        others: null,
        regions: 'fov',
      }).model.fov;
      const version = await project.getModelVersion(modelId);
      const view = toEvaluationView(
        evaluation,
        modelId,
        version.name,
        new Date().toISOString(),
        flips,
      );
      await project.addEvaluation({
        name: `${version.name} on test`,
        modelVersionId: modelId,
        runId,
        protocol: view.protocol,
        pooled: {
          metrics: view.pooled,
          perImageMean: view.perImageMean,
          perImageStd: view.perImageStd,
          trainingThreshold: view.trainingThreshold,
        },
        perImage: view.perImage.map((r) => ({ imageKey: r.imageId, metrics: { ...r.metrics } })),
        ...(view.roc ? { roc: { fpr: view.roc.fpr, tpr: view.roc.tpr } } : {}),
        ...(view.pr ? { pr: { recall: view.pr.recall, precision: view.pr.precision } } : {}),
      });
      session.forgetPredictions();
      return view;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** A stored evaluation in the studio's shape. */
  private static fromStored(stored: StoredEvaluation, label: string): EvaluationView {
    const pooled = stored.pooled as {
      metrics: EvaluationView['pooled'];
      perImageMean: EvaluationView['perImageMean'];
      perImageStd: EvaluationView['perImageStd'];
      trainingThreshold: EvaluationView['trainingThreshold'];
    };
    return {
      modelId: stored.modelVersionId,
      label,
      protocol: stored.protocol as EvaluationView['protocol'],
      pooled: pooled.metrics,
      perImageMean: pooled.perImageMean,
      perImageStd: pooled.perImageStd,
      perImage: stored.perImage.map((r) => ({
        imageId: r.imageKey,
        metrics: r.metrics as unknown as EvaluationView['pooled'],
      })),
      roc: stored.roc ? { fpr: stored.roc.fpr, tpr: stored.roc.tpr } : null,
      pr: stored.pr ? { recall: stored.pr.recall, precision: stored.pr.precision } : null,
      trainingThreshold: pooled.trainingThreshold,
      createdAt: stored.createdAt,
    };
  }

  /** The newest evaluation of a model version, or null. */
  async evaluationOf(modelId: number): Promise<EvaluationView | null> {
    const project = this.session().project;
    const stored = (await project.listEvaluations(modelId)).at(-1);
    if (!stored) return null;
    const version = await project.getModelVersion(modelId);
    return TrainingService.fromStored(stored, version.name);
  }

  /** The second observer under our protocol, computed once per dataset; null without 2nd labels. */
  async secondObserverView(): Promise<EvaluationView | null> {
    const dataset = this.session().dataset;
    if (this.secondObserver?.root === dataset.root) return this.secondObserver.view;
    const test = allEntries(dataset).filter(
      (e) => isTestImage(e) && e.labelPaths['2nd'] !== undefined,
    );
    let view: EvaluationView | null = null;
    if (test.length > 0) {
      const seconds = await Promise.all(test.map((e) => loadLabel(e, '2nd')));
      const images = await Promise.all(
        test.map(async (e) => ({
          id: e.id,
          label: await loadLabel(e, '1st'),
          fov: await loadFov(e),
        })),
      );
      view = toEvaluationView(
        evaluateObserverOnSplit(images, seconds, 'fov').fov,
        null,
        'Second observer (2nd manual)',
        new Date().toISOString(),
      );
      view.protocol = {
        ...describeProtocol(test.length),
        description: `${describeProtocol(test.length).description} (2nd manual scored against the 1st)`,
      };
    }
    this.secondObserver = { root: dataset.root, view };
    return view;
  }

  /** Model versions with their parent, training data and test figures. */
  async listModels(): Promise<ModelVersionSummary[]> {
    const project = this.session().project;
    const versions = await project.listModelVersions();
    const active = await this.activeModel();
    const summaries: ModelVersionSummary[] = [];
    for (const v of versions) {
      const evaluation = await this.evaluationOf(v.id);
      const config = v.config as { arch?: string; depth?: number; block?: string };
      summaries.push({
        id: v.id,
        name: v.name,
        parentId: v.parentId,
        createdAt: v.createdAt,
        backend: v.backend,
        arch:
          config.arch === 'unet'
            ? `U-Net depth ${config.depth ?? '?'}${config.block === 'shared-residual' ? ', shared residual' : ''}`
            : String(config.arch ?? 'unknown'),
        active: active?.id === v.id,
        trainedOn: {
          images: v.trainedOn.length,
          corrected: v.trainedOn.filter((t) => t.revisionId !== null).length,
        },
        test: evaluation
          ? {
              auc: evaluation.pooled.auc,
              f1: evaluation.pooled.f1,
              precision: evaluation.pooled.precision,
              recall: evaluation.pooled.recall,
            }
          : null,
      });
    }
    return summaries;
  }

  async activate(id: number): Promise<ModelVersionSummary> {
    const session = this.session();
    const version = await session.project.getModelVersion(id);
    await session.project.updateViewSettings({ selectedModelVersion: id });
    await session.setActiveModel(version);
    this.ctx.events.emit('models.changed', { activeId: id });
    return (await this.listModels()).find((m) => m.id === id) as ModelVersionSummary;
  }

  async rename(id: number, name: string): Promise<ModelVersionSummary> {
    await this.session().project.renameModelVersion(id, name);
    this.ctx.events.emit('models.changed', { activeId: (await this.activeModel())?.id ?? null });
    return (await this.listModels()).find((m) => m.id === id) as ModelVersionSummary;
  }

  async remove(id: number): Promise<{ deleted: number }> {
    const active = await this.activeModel();
    if (active?.id === id) {
      throw new AppError(
        TRAINING_ERROR_CODES.MODEL_ACTIVE,
        `"${active.name}" is the active model version: activate another one before deleting it.`,
      );
    }
    await this.session().project.deleteModelVersion(id);
    this.ctx.events.emit('models.changed', { activeId: active?.id ?? null });
    return { deleted: id };
  }

  /** Changes of a version against its parent (or a chosen baseline), pooled and per image. */
  async compare(modelId: number, baselineId?: number): Promise<ModelComparison> {
    const project = this.session().project;
    const version = await project.getModelVersion(modelId);
    const baseline = baselineId ?? version.parentId;
    if (baseline === null || baseline === undefined) {
      throw new AppError(
        TRAINING_ERROR_CODES.NO_EVALUATION,
        `"${version.name}" has no parent version to compare with; choose a baseline.`,
      );
    }
    const after = await this.evaluationOf(modelId);
    const before = await this.evaluationOf(baseline);
    if (!after || !before) {
      throw new AppError(
        TRAINING_ERROR_CODES.NO_EVALUATION,
        `Both versions need an evaluation on the test split first (run it from the models panel).`,
      );
    }
    return compareViews(modelId, baseline, before, after);
  }
}

const DELTA_METRICS = ['auc', 'f1', 'precision', 'recall'] as const;

function deltas(
  before: EvaluationView['pooled'] | undefined,
  after: EvaluationView['pooled'] | undefined,
): MetricDelta[] {
  return DELTA_METRICS.map((name) => {
    const b = before?.[name] ?? null;
    const a = after?.[name] ?? null;
    return { name, before: b, after: a, delta: a !== null && b !== null ? a - b : null };
  });
}

/** Pooled and per-image deltas; an image regressed when its F1 or AUC fell by more than the tolerance. */
export function compareViews(
  modelId: number,
  baselineId: number,
  before: EvaluationView,
  after: EvaluationView,
): ModelComparison {
  const beforeById = new Map(before.perImage.map((r) => [r.imageId, r.metrics]));
  return {
    modelId,
    baselineId,
    pooled: deltas(before.pooled, after.pooled),
    perImage: after.perImage.map((r) => {
      const d = deltas(beforeById.get(r.imageId), r.metrics);
      const regressed = d.some(
        (x) =>
          (x.name === 'f1' || x.name === 'auc') &&
          x.delta !== null &&
          x.delta < -REGRESSION_TOLERANCE,
      );
      return { imageId: r.imageId, deltas: d, regressed };
    }),
  };
}
