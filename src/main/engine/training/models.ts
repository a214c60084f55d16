/**
 * The open project's model versions as the studio manages them: which one is active (the one
 * the person chose, else the newest), recording the version a run trained and making it
 * active, activating, renaming and deleting versions, and each version's summary with its
 * parent, training data and test figures. Every change is announced as `models.changed`.
 */
import type { EvaluationView, ModelVersionSummary } from '../../../shared/api/training';
import { AppError } from '../../../shared/result';
import type { TrainSummary } from '../../compute/train/job';
import type { EngineEvents } from '../events';
import { readModelMeta } from '../model/files';
import type { ModelVersion, TrainingMask } from '../project';
import type { StudioSession } from '../studio/session';
import { TRAINING_ERROR_CODES } from './errors';

/** A model config's architecture in words, e.g. "U-Net depth 4, shared residual". */
export function describeArch(config: unknown): string {
  const c = config as { arch?: string; depth?: number; block?: string };
  return c.arch === 'unet'
    ? `U-Net depth ${c.depth ?? '?'}${c.block === 'shared-residual' ? ', shared residual' : ''}`
    : String(c.arch ?? 'unknown');
}

/** A version as the models panel lists it, given the active version and its newest evaluation. */
export function summariseVersion(
  v: ModelVersion,
  activeId: number | null,
  evaluation: EvaluationView | null,
): ModelVersionSummary {
  return {
    id: v.id,
    name: v.name,
    parentId: v.parentId,
    createdAt: v.createdAt,
    backend: v.backend,
    arch: describeArch(v.config),
    active: activeId === v.id,
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
  };
}

/** What a run hands over to be recorded as a version. */
export interface TrainedModel {
  /** The folder of the best checkpoint. */
  modelDir: string;
  summary: TrainSummary;
  parent: ModelVersion | null;
  runId: number;
  trainedOn: TrainingMask[];
  /** The run was cancelled and this is its best checkpoint so far; the name says so. */
  cancelled: boolean;
}

/** The open session's model versions. */
export class ModelVersions {
  constructor(
    private readonly events: EngineEvents,
    private readonly session: () => StudioSession,
    private readonly evaluationOf: (modelId: number) => Promise<EvaluationView | null>,
  ) {}

  /** The active model version: the one the person chose, else the newest. */
  async active(): Promise<ModelVersion | null> {
    const project = this.session().project;
    const versions = await project.listModelVersions();
    const chosen = (await project.getViewSettings()).selectedModelVersion;
    return versions.find((v) => v.id === chosen) ?? versions.at(-1) ?? null;
  }

  /**
   * Records what a run trained as the next version of `session`'s project, not active yet (the
   * run decides, see activation.ts). The session is the run's own: the one open when it started.
   */
  async recordTrained(session: StudioSession, trained: TrainedModel): Promise<ModelVersion> {
    const { project } = session;
    const { summary } = trained;
    const meta = await readModelMeta(trained.modelDir);
    const versions = await project.listModelVersions();
    // "Active" defaults to the newest version: pin the one active now, so that recording a
    // newer one does not make it active by default.
    const previous = await this.active();
    if (previous) await project.updateViewSettings({ selectedModelVersion: previous.id });
    const version = await project.addModelVersionFromDir(trained.modelDir, {
      name: `v${versions.length + 1}${trained.cancelled ? ' (cancelled run)' : ''}`,
      config: meta.config,
      parentId: trained.parent?.id ?? null,
      runId: trained.runId,
      backend: summary.backend,
      epochLog: summary.history.map((h) => ({ ...h })),
      trainedOn: trained.trainedOn,
    });
    this.events.emit('models.changed', { activeId: (await this.active())?.id ?? null });
    return version;
  }

  /** Model versions with their parent, training data and test figures. */
  async list(): Promise<ModelVersionSummary[]> {
    const project = this.session().project;
    const versions = await project.listModelVersions();
    const active = await this.active();
    const summaries: ModelVersionSummary[] = [];
    for (const v of versions) {
      summaries.push(summariseVersion(v, active?.id ?? null, await this.evaluationOf(v.id)));
    }
    return summaries;
  }

  /** Makes a version active, as if the person chose it; returns its summary. */
  async activate(id: number): Promise<ModelVersionSummary> {
    const session = this.session();
    const version = await session.project.getModelVersion(id);
    await this.makeActive(session, version);
    return this.summaryOf(id);
  }

  /** Renames a version; returns its summary. */
  async rename(id: number, name: string): Promise<ModelVersionSummary> {
    await this.session().project.renameModelVersion(id, name);
    this.events.emit('models.changed', { activeId: (await this.active())?.id ?? null });
    return this.summaryOf(id);
  }

  /** Deletes a version; refuses the active one with MODEL_ACTIVE. */
  async remove(id: number): Promise<{ deleted: number }> {
    const active = await this.active();
    if (active?.id === id) {
      throw new AppError(
        TRAINING_ERROR_CODES.MODEL_ACTIVE,
        `"${active.name}" is the active model version: activate another one before deleting it.`,
      );
    }
    await this.session().project.deleteModelVersion(id);
    this.events.emit('models.changed', { activeId: active?.id ?? null });
    return { deleted: id };
  }

  /**
   * The person's choice is kept in the project, so the version stays active when it reopens.
   * `announce: false` leaves `models.changed` to the caller (a run announces once at its end).
   */
  async makeActive(session: StudioSession, version: ModelVersion, announce = true): Promise<void> {
    await session.project.updateViewSettings({ selectedModelVersion: version.id });
    await session.setActiveModel(version);
    if (announce) this.events.emit('models.changed', { activeId: version.id });
  }

  private async summaryOf(id: number): Promise<ModelVersionSummary> {
    return (await this.list()).find((m) => m.id === id) as ModelVersionSummary;
  }
}
