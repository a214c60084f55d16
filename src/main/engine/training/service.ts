/**
 * One-click retrain and evaluate for the open studio session. A run fine-tunes the active
 * model version (or trains a preset from scratch) on the current masks, corrections weighted
 * up, in the compute process; the best checkpoint becomes a new model version, which is made
 * active, predicted on every image (cached for the canvas) and evaluated on the test split.
 * The validation split is fixed per project; test images are never trained on.
 *
 * TrainingService is the facade the engine's handlers use; each concern has its own module
 * that the methods here hand on to: split.ts (the fixed split), settings.ts (a run's settings
 * and defaults), run.ts (the run lifecycle with the compute host, progress.ts its progress,
 * training-masks.ts what it learns from), models.ts (recording and managing model versions)
 * and evaluation.ts (evaluating on the test split; compare.ts, stored-evaluation.ts).
 */
import type {
  EvaluationView,
  ModelComparison,
  ModelVersionSummary,
  ProjectSplit,
  RetrainSettingsInput,
  TrainingRunState,
} from '../../../shared/api/training';
import type { ComputeHost } from '../../compute/host';
import type { EngineContext } from '../context';
import type { ModelVersion } from '../project';
import type { StudioSession } from '../studio/session';
import { Evaluations } from './evaluation';
import { ModelVersions } from './models';
import { TrainingRuns } from './run';
import { projectSplit } from './split';

// The constants callers knew from here before the split keep their home address.
export { compareViews, REGRESSION_TOLERANCE } from './compare';
export { TRAINING_ERROR_CODES } from './errors';
export { PROJECT_SPLIT_SEED, VALIDATION_FRACTION } from './split';

/** Retrain, model versions and evaluation of the open studio session. */
export class TrainingService {
  private readonly evaluations: Evaluations;
  private readonly models: ModelVersions;
  private readonly runs: TrainingRuns;

  constructor(
    ctx: EngineContext,
    private readonly session: () => StudioSession,
    compute: () => ComputeHost,
  ) {
    this.evaluations = new Evaluations(session, compute);
    this.models = new ModelVersions(ctx.events, session, (id) => this.evaluations.evaluationOf(id));
    this.runs = new TrainingRuns(ctx, session, compute, {
      models: this.models,
      evaluations: this.evaluations,
    });
  }

  /** The fixed split of the open project. */
  split(): ProjectSplit {
    return projectSplit(this.session().dataset);
  }

  /** The run going on, else the last one that ended, else null. */
  current(): TrainingRunState | null {
    return this.runs.current();
  }

  /** The active model version: the one the person chose, else the newest. */
  activeModel(): Promise<ModelVersion | null> {
    return this.models.active();
  }

  /**
   * Starts a run and returns at once; progress and the end arrive as events. Settings left out
   * take Retrain's defaults for the backend in use and the model the run trains.
   */
  start(given: RetrainSettingsInput): Promise<TrainingRunState> {
    return this.runs.start(given);
  }

  /** Cancels a run: the best checkpoint so far still becomes a model version. */
  cancel(runId: number): { cancelled: boolean } {
    return this.runs.cancel(runId);
  }

  /** Predicts every image with a model version (cached for the canvas) and evaluates it on the test split. */
  evaluate(modelId: number, runId: number | null = null): Promise<EvaluationView> {
    return this.evaluations.evaluate(modelId, runId);
  }

  /** The newest evaluation of a model version, or null. */
  evaluationOf(modelId: number): Promise<EvaluationView | null> {
    return this.evaluations.evaluationOf(modelId);
  }

  /** The second observer under our protocol, computed once per dataset; null without 2nd labels. */
  secondObserverView(): Promise<EvaluationView | null> {
    return this.evaluations.secondObserverView();
  }

  /** Model versions with their parent, training data and test figures. */
  listModels(): Promise<ModelVersionSummary[]> {
    return this.models.list();
  }

  /** Makes a version active, as if the person chose it; returns its summary. */
  activate(id: number): Promise<ModelVersionSummary> {
    return this.models.activate(id);
  }

  /** Renames a version; returns its summary. */
  rename(id: number, name: string): Promise<ModelVersionSummary> {
    return this.models.rename(id, name);
  }

  /** Deletes a version; refuses the active one with MODEL_ACTIVE. */
  remove(id: number): Promise<{ deleted: number }> {
    return this.models.remove(id);
  }

  /** Changes of a version against its parent (or a chosen baseline), pooled and per image. */
  compare(modelId: number, baselineId?: number): Promise<ModelComparison> {
    return this.evaluations.compare(modelId, baselineId);
  }
}
