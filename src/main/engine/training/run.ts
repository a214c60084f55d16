/**
 * The run lifecycle: one run at a time, started in the compute process through the ComputeHost
 * (`train.run`) and followed by its progress. A run is recorded in the project as it goes
 * (queued, running, evaluating, then finished, cancelled or failed); its best checkpoint becomes
 * a new model version, evaluated on the test split, and made active only if it scored at least
 * as well on validation as the version it started from (activation.ts). Cancel stops training
 * (keeping the best checkpoint as a version) or the evaluation, and leaves the active version.
 * Every change of state is published as `training.state`, each batch as `training.progress`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {
  RetrainSettingsInput,
  RunDecision,
  TrainingRunState,
} from '../../../shared/api/training';
import { modelPreset, type ModelPresetName } from '../../../shared/model-config';
import { QUICK_VALIDATION_PATCHES } from '../../../shared/retrain-defaults';
import { AppError, COMMON_ERROR_CODES, toErrorInfo } from '../../../shared/result';
import type { ComputeHost } from '../../compute/host';
import type { TrainProgress, TrainSummary } from '../../compute/train/job';
import { isTestImage } from '../../compute/train/split';
import type { EngineContext } from '../context';
import { allEntries, type ImageEntry } from '../dataset';
import type { ModelVersion } from '../project';
import type { StudioSession } from '../studio/session';
import { activationDecision, cancelledDecision } from './activation';
import { actionFor, TRAINING_ERROR_CODES } from './errors';
import type { Evaluations } from './evaluation';
import type { ModelVersions } from './models';
import { applyProgress, evaluationProgress, type EvaluationPlan } from './progress';
import { resolveRunSettings } from './settings';
import { PROJECT_SPLIT_SEED, projectSplit, VALIDATION_FRACTION } from './split';
import { trainingMasks, type TrainingMasks } from './training-masks';

interface ActiveRun {
  state: TrainingRunState;
  abort: AbortController;
  /** performance.now() when the run started, for the whole run's ETA. */
  started: number;
  /** The test evaluation the run ends with (null: a quick fine-tune, which leaves it to the queue). */
  evaluation: EvaluationPlan | null;
}

/** What a run needs of the rest of training: the model versions and the evaluation. */
export interface RunCollaborators {
  models: Pick<ModelVersions, 'active' | 'recordTrained' | 'makeActive'>;
  evaluations: Pick<Evaluations, 'evaluate'>;
}

/** The one training run at a time of the open session, and the last one that ended. */
export class TrainingRuns {
  private active: ActiveRun | null = null;
  private last: TrainingRunState | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly session: () => StudioSession,
    private readonly compute: () => ComputeHost,
    private readonly parts: RunCollaborators,
  ) {}

  /** The run going on, else the last one that ended, else null. */
  current(): TrainingRunState | null {
    return this.active?.state ?? this.last;
  }

  /**
   * Starts a run and returns at once; progress and the end arrive as events. Settings left out
   * take Retrain's defaults for the backend in use and the model the run trains.
   */
  async start(given: RetrainSettingsInput): Promise<TrainingRunState> {
    this.refuseIfBusy();
    const session = this.session();
    const { settings, parent } = await resolveRunSettings(given, {
      activeModel: () => this.parts.models.active(),
      backendReport: () => this.ctx.backendReport(),
    });
    if (settings.scope === 'corrections') {
      const corrected = new Set(
        (await session.project.latestMaskRevisions()).map((r) => r.imageKey),
      );
      const training = withoutValidation(allEntries(session.dataset), session).filter(
        (e) => !isTestImage(e) && corrected.has(e.id),
      );
      refuseNothingToFineTune(training.length, parent);
    }
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
      decision: null,
    };
    const evaluation: EvaluationPlan | null =
      settings.scope === 'corrections'
        ? null
        : {
            images: allEntries(session.dataset).length,
            secondsPerImage: session.secondsPerPrediction(),
          };
    const active: ActiveRun = {
      state,
      abort: new AbortController(),
      started: performance.now(),
      evaluation,
    };
    this.active = active;
    this.publish(state);
    void this.execute(active, session, parent);
    return state;
  }

  /** Cancels a run: the best checkpoint so far still becomes a model version. */
  cancel(runId: number): { cancelled: boolean } {
    if (!this.active || this.active.state.runId !== runId) return { cancelled: false };
    this.active.abort.abort();
    return { cancelled: true };
  }

  private refuseIfBusy(): void {
    if (!this.active) return;
    throw new AppError(
      TRAINING_ERROR_CODES.BUSY,
      `Run ${this.active.state.runId} is still ${this.active.state.status}: wait for it or cancel it first.`,
    );
  }

  private publish(state: TrainingRunState): void {
    this.ctx.events.emit('training.state', structuredClone(state));
  }

  private update(active: ActiveRun, change: Partial<TrainingRunState>): void {
    active.state = { ...active.state, ...change };
    this.publish(active.state);
  }

  private finish(active: ActiveRun, change: Partial<TrainingRunState>): void {
    this.update(active, change);
    this.last = active.state;
    if (this.active === active) this.active = null;
  }

  /** Runs a started run to its end; never throws, a failure ends the run as failed. */
  private async execute(
    active: ActiveRun,
    session: StudioSession,
    parent: ModelVersion | null,
  ): Promise<void> {
    const { project, dataset } = session;
    const runId = active.state.runId;
    const work = await mkdtemp(path.join(os.tmpdir(), `vessel-run-${runId}-`));
    try {
      await project.startRun(runId);
      this.update(active, { status: 'running' });
      const { settings } = active.state;
      const quick = settings.scope === 'corrections';
      const training = allEntries(dataset).filter((e) => !isTestImage(e));
      const masks = await trainingMasks(
        project,
        // A quick fine-tune learns from corrected training images; validation ones are scored.
        quick ? withoutValidation(training, session) : training,
        settings.correctionWeight,
        quick ? Math.floor(settings.patchSize / 2) : null,
      );
      // Corrections that change no pixel (painted, then erased again) leave nothing to learn.
      if (quick) refuseNothingToFineTune(masks.trainedOn.length, parent);
      const backend = (await this.ctx.backendReport()).active ?? 'cpu';
      const summary = await this.train(active, session, parent, masks, work, backend);
      const cancelled = summary.status === 'cancelled';
      if (summary.modelDir === null) {
        await project.cancelRun(runId);
        this.finish(active, { status: 'cancelled', finishedAt: new Date().toISOString() });
        return;
      }
      // Recorded, not yet active: the canvas keeps the active version's predictions until the
      // new one has its own, and it becomes active only if validation says it is no worse.
      const version = await this.parts.models.recordTrained(session, {
        modelDir: summary.modelDir,
        summary,
        parent,
        runId,
        trainedOn: masks.trainedOn,
        cancelled,
      });
      let evaluated: boolean;
      if (quick) {
        // The background predictions show and evaluate it once it is active, image on screen first.
        this.update(active, { modelId: version.id });
        evaluated = !cancelled;
      } else {
        this.update(active, { status: 'evaluating', modelId: version.id });
        evaluated = await this.evaluateUnlessCancelled(active, version.id, runId, backend);
      }
      const decision = evaluated
        ? quickNote(quick, activationDecision(summary, version.name, parent?.name ?? null))
        : cancelledDecision(
            cancelled ? 'training' : 'evaluation',
            version.name,
            parent?.name ?? null,
          );
      // Announced once below, with the figures and the decision.
      if (decision.activate) await this.parts.models.makeActive(session, version, false);
      if (cancelled || !evaluated) await project.cancelRun(runId);
      else await project.finishRun(runId);
      // Once when the version was recorded, again now with its test figures and the decision.
      this.ctx.events.emit('models.changed', {
        activeId: (await this.parts.models.active())?.id ?? null,
      });
      this.finish(active, {
        status: cancelled || !evaluated ? 'cancelled' : 'finished',
        finishedAt: new Date().toISOString(),
        decision,
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

  /**
   * Evaluates the run's version on the test split; false when the run was cancelled, during
   * training (the version is its best checkpoint so far) or during the evaluation itself, which
   * then stops between images and stores nothing.
   */
  private async evaluateUnlessCancelled(
    active: ActiveRun,
    modelId: number,
    runId: number,
    backend: string,
  ): Promise<boolean> {
    const signal = active.abort.signal;
    if (signal.aborted) return false;
    const began = performance.now();
    const onProgress = (done: number, total: number) => {
      const step = evaluationProgress(
        active.state,
        {
          done,
          total,
          evaluationSeconds: (performance.now() - began) / 1000,
          elapsedSeconds: (performance.now() - active.started) / 1000,
          plannedSecondsPerImage: active.evaluation?.secondsPerImage ?? null,
        },
        backend,
      );
      active.state = step.state;
      this.ctx.events.emit('training.progress', step.progress);
    };
    try {
      await this.parts.evaluations.evaluate(modelId, runId, signal, onProgress);
      return true;
    } catch (error) {
      if (signal.aborted && toErrorInfo(error).code === COMMON_ERROR_CODES.CANCELLED) return false;
      throw error;
    }
  }

  /** Trains in the compute process, from the parent's folder or the preset, into `work`. */
  private async train(
    active: ActiveRun,
    session: StudioSession,
    parent: ModelVersion | null,
    masks: TrainingMasks,
    work: string,
    backend: string,
  ): Promise<TrainSummary> {
    const settings = active.state.settings;
    let model: { kind: 'dir'; dir: string } | { kind: 'config'; config: unknown };
    if (parent) {
      const dir = path.join(work, 'parent');
      await session.project.writeModelDir(parent.id, dir);
      model = { kind: 'dir', dir };
    } else {
      // resolveRunSettings refused any arch that is not a preset for a run from scratch.
      model = { kind: 'config', config: modelPreset(settings.arch as ModelPresetName) };
    }
    return this.compute().request(
      'train.run',
      {
        // The session reports the dataset's problems when it opens it (its info's `problems`) and
        // trains on the images it opened; the summary's `skipped` names every file left out.
        data: {
          kind: 'folder',
          root: session.dataset.root,
          overrides: masks.overrides,
          skipBad: true,
        },
        model,
        // A fine-tune scores its starting model first, for the activation decision.
        validateInitial: parent !== null,
        ...(settings.scope === 'corrections'
          ? { trainOnly: masks.trainedOn.map((m) => m.imageKey) }
          : {}),
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
          ...(settings.scope === 'corrections'
            ? { validationPatches: QUICK_VALIDATION_PATCHES }
            : {}),
        },
      },
      { signal: active.abort.signal, onProgress: (p) => this.onProgress(active, p, backend) },
    );
  }

  private onProgress(active: ActiveRun, p: TrainProgress, backend: string): void {
    const step = applyProgress(active.state, p, backend, {
      elapsedSeconds: (performance.now() - active.started) / 1000,
      evaluation: active.evaluation,
    });
    if (!step) return;
    // No state event per batch: the progress event carries the news, current() the history.
    active.state = step.state;
    this.ctx.events.emit('training.progress', step.progress);
  }
}

/** The images of `entries` outside the project's fixed validation split. */
function withoutValidation(entries: ImageEntry[], session: StudioSession): ImageEntry[] {
  const validation = new Set(projectSplit(session.dataset).validation);
  return entries.filter((e) => !validation.has(e.id));
}

/** A quick fine-tune needs a version to start from and a corrected training image to learn from. */
function refuseNothingToFineTune(correctedImages: number, parent: ModelVersion | null): void {
  if (!parent) {
    throw new AppError(
      TRAINING_ERROR_CODES.NOTHING_TO_FINE_TUNE,
      'A quick fine-tune starts from the active model version, and there is none: run the full Retrain (or train from scratch) first.',
    );
  }
  if (correctedImages === 0) {
    throw new AppError(
      TRAINING_ERROR_CODES.NOTHING_TO_FINE_TUNE,
      'A quick fine-tune learns from your corrections, and no training image has one (corrections on validation images are only scored). Paint a correction on a training image, or run the full Retrain.',
    );
  }
}

/** A quick fine-tune's decision, saying where its test figures will come from. */
function quickNote(quick: boolean, decision: RunDecision): RunDecision {
  if (!quick) return decision;
  const figures = decision.activate
    ? 'Its predictions and test figures follow in the background, the image on screen first.'
    : 'It gets its predictions and test figures once it is made active.';
  return { ...decision, message: `${decision.message} ${figures}` };
}
