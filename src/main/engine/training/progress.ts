/**
 * A run's progress as the studio sees it: the compute process reports batches and epochs, the
 * studio gets a progress event for each and keeps one point per finished epoch for the live
 * chart. The point is kept once, as the compute process may report an epoch again (checkpoint).
 *
 * One ETA covers the whole run. While training it is the compute process's estimate for the
 * batches left plus, for a run that evaluates, every image still to predict at the time per
 * image this session measured (the prediction queue's); during the evaluation, the images left
 * at the evaluation's own pace once one is done. Where no time per image is known yet, the ETA
 * covers the training only and says so (`evaluationTimed: false`), and the bar counts the
 * training's batches, then the evaluation's images.
 */
import type { TrainingProgress, TrainingRunState } from '../../../shared/api/training';
import type { TrainProgress } from '../../compute/train/job';

/** A progress event and the run state it leaves behind. */
export interface ProgressStep {
  progress: TrainingProgress;
  state: TrainingRunState;
}

/** The evaluation a run ends with: images to predict, and seconds per image if measured. */
export interface EvaluationPlan {
  images: number;
  secondsPerImage: number | null;
}

/** Where the whole run stands, for the ETA and the bar. */
export interface RunClock {
  /** Seconds since the run started. */
  elapsedSeconds: number;
  /** Null: the run does not evaluate (the quick fine-tune). */
  evaluation: EvaluationPlan | null;
}

/** Share done of a run that has `elapsed` seconds behind it and `left` ahead. */
function share(elapsed: number, left: number): number {
  const total = elapsed + left;
  return total > 0 ? Math.min(1, Math.max(0, elapsed / total)) : 0;
}

/** Share of a run's batches done, from its epoch and batch counters. */
function batchShare(p: Pick<TrainProgress, 'epoch' | 'epochs' | 'batch' | 'batchesPerEpoch'>) {
  if (p.epochs <= 0 || p.batchesPerEpoch <= 0) return 0;
  const done =
    (Math.max(0, p.epoch - 1) * p.batchesPerEpoch + p.batch) / (p.epochs * p.batchesPerEpoch);
  return Math.min(1, Math.max(0, done));
}

/**
 * Applies a compute report to a run's state; null while preparing or before a first loss.
 * `clock` places it in the whole run (omitted: a run of training alone, timed as it reports).
 */
export function applyProgress(
  state: TrainingRunState,
  p: TrainProgress,
  backend: string,
  clock: RunClock | null = null,
): ProgressStep | null {
  if (p.phase === 'preparing' || p.loss === null) return null;
  const plan = clock?.evaluation ?? null;
  const evaluationSeconds =
    plan === null ? 0 : plan.secondsPerImage === null ? null : plan.images * plan.secondsPerImage;
  const timed = evaluationSeconds !== null;
  const etaSeconds = p.etaSeconds === null ? null : p.etaSeconds + (evaluationSeconds ?? 0);
  const elapsed = clock?.elapsedSeconds ?? p.elapsedSeconds;
  const progress: TrainingProgress = {
    runId: state.runId,
    phase: 'training',
    epoch: p.epoch,
    epochs: p.epochs,
    batch: p.batch,
    batchesPerEpoch: p.batchesPerEpoch,
    loss: p.loss,
    valLoss: p.phase === 'epoch' ? p.valLoss : null,
    valF1: p.phase === 'epoch' ? p.valF1 : null,
    valAuc: p.phase === 'epoch' ? p.valAuc : null,
    etaSeconds,
    evaluation: plan === null ? null : { done: 0, total: plan.images },
    evaluationTimed: timed,
    fraction: timed && etaSeconds !== null ? share(elapsed, etaSeconds) : batchShare(p),
    backend,
  };
  const history =
    p.phase === 'epoch' && !state.history.some((h) => h.epoch === p.epoch)
      ? [...state.history, { epoch: p.epoch, loss: p.loss, valLoss: p.valLoss, valF1: p.valF1 }]
      : state.history;
  return { progress, state: { ...state, last: progress, history } };
}

/** Where the evaluation stands: images done of total and seconds since it started. */
export interface EvaluationClock {
  done: number;
  total: number;
  evaluationSeconds: number;
  /** Seconds since the run started. */
  elapsedSeconds: number;
  /** The time per image measured before the evaluation (the plan's), or null. */
  plannedSecondsPerImage: number | null;
}

/**
 * The progress of a run in its evaluation: the training counters as they ended, the images done,
 * and the ETA of the images left (at the evaluation's pace once an image is done, else at the
 * planned time per image, else unknown: the bar then counts images).
 */
export function evaluationProgress(
  state: TrainingRunState,
  clock: EvaluationClock,
  backend: string,
): ProgressStep {
  const { done, total } = clock;
  const perImage = done > 0 ? clock.evaluationSeconds / done : clock.plannedSecondsPerImage;
  const etaSeconds = perImage === null ? null : (total - done) * perImage;
  const last = state.last;
  const progress: TrainingProgress = {
    runId: state.runId,
    phase: 'evaluating',
    epoch: last?.epoch ?? 0,
    epochs: last?.epochs ?? 0,
    batch: last?.batch ?? 0,
    batchesPerEpoch: last?.batchesPerEpoch ?? 0,
    // The training's last loss (a run evaluates only after at least one batch reported one).
    loss: last?.loss ?? 0,
    valLoss: null,
    valF1: null,
    valAuc: null,
    etaSeconds,
    evaluation: { done, total },
    evaluationTimed: etaSeconds !== null,
    fraction:
      etaSeconds === null
        ? total > 0
          ? done / total
          : 1
        : share(clock.elapsedSeconds, etaSeconds),
    backend,
  };
  return { progress, state: { ...state, last: progress } };
}
