/**
 * Evaluating model versions on the test split: a version is predicted on every image (the
 * predictions are cached in the project for the canvas) and scored on the test images against
 * the 1st manual, with the threshold chosen on the training images' masks as they stand. The
 * second observer is scored the same way once per dataset, and two versions are compared.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EvaluationView, ModelComparison } from '../../../shared/api/training';
import { flipsFor } from '../../../shared/model-config';
import { AppError } from '../../../shared/result';
import type { ComputeHost } from '../../compute/host';
import { isTestImage } from '../../compute/train/split';
import { allEntries, loadFov, loadLabel, type ImageEntry } from '../dataset';
import type { ScoredImage } from '../metrics';
import {
  evaluateObserverOnSplit,
  evaluateSplit,
  type LabelledImage,
} from '../metrics/split-evaluation';
import { badFilesIn, leftOutImages } from '../metrics/bad-files';
import { readModelMeta } from '../model/files';
import type { StudioSession } from '../studio/session';
import { compareViews } from './compare';
import { TRAINING_ERROR_CODES } from './errors';
import { describeProtocol, toEvaluationView } from './evaluation-view';
import { fromStoredEvaluation, toStoredEvaluation } from './stored-evaluation';

/** Evaluations of the open session's model versions, new and stored. */
export class Evaluations {
  /** The second observer's view for the dataset at `root`, computed once. */
  private secondObserver: { root: string; view: EvaluationView | null } | null = null;

  constructor(
    private readonly session: () => StudioSession,
    private readonly compute: () => ComputeHost,
  ) {}

  /**
   * Predicts every image with a model version (cached for the canvas) and evaluates it on the
   * test split. `onProgress` hears of each image predicted (done of every image).
   */
  async evaluate(
    modelId: number,
    runId: number | null = null,
    signal?: AbortSignal,
    onProgress?: (done: number, total: number) => void,
  ): Promise<EvaluationView> {
    const session = this.session();
    const { project, dataset } = session;
    const entries = allEntries(dataset);
    const test = entries.filter(isTestImage);
    if (test.length === 0) {
      throw new AppError(
        TRAINING_ERROR_CODES.NO_TEST,
        `${dataset.root} has no test split to evaluate on.`,
      );
    }
    const work = await mkdtemp(path.join(os.tmpdir(), `vessel-eval-${modelId}-`));
    try {
      await project.writeModelDir(modelId, work);
      // Flip averaging as the model's config says, decided here so the protocol says what ran.
      const { config } = await readModelMeta(work);
      const flips = flipsFor(config);
      const turns = flips && config.inference?.turns === true;
      // Exact maps the prediction queue made (and cached) this session are not predicted again.
      const byId = session.takeExactPredictions(modelId, flips);
      const missing = entries.filter((e) => !byId.has(e.id)).map((e) => e.id);
      const ready = entries.length - missing.length;
      onProgress?.(ready, entries.length);
      const predicted =
        missing.length === 0
          ? []
          : await this.compute().request(
              'predict.dataset',
              { modelDir: work, root: dataset.root, flips, ids: missing },
              {
                ...(signal ? { signal } : {}),
                onProgress: (p) => onProgress?.(ready + p.done, entries.length),
              },
            );
      for (const p of predicted) byId.set(p.id, p);
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
        turns,
      );
      // Images the dataset check left out change the protocol: the stored record names them.
      const bad = await badFilesIn(dataset, ['test', 'training', 'all']);
      if (bad.problems.length > 0) {
        const images = leftOutImages(bad);
        view.protocol = {
          ...view.protocol,
          description: `${view.protocol.description}; ${images.length} image(s) left out as unusable, ${bad.problems.length} file problem(s) listed`,
          leftOut: {
            images,
            problems: bad.problems.map(({ file, code, message }) => ({ file, code, message })),
          },
        };
      }
      await project.addEvaluation(
        toStoredEvaluation(view, `${version.name} on test`, modelId, runId),
      );
      session.forgetPredictions();
      return view;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /** The newest evaluation of a model version, or null. */
  async evaluationOf(modelId: number): Promise<EvaluationView | null> {
    const project = this.session().project;
    const stored = (await project.listEvaluations(modelId)).at(-1);
    if (!stored) return null;
    const version = await project.getModelVersion(modelId);
    return fromStoredEvaluation(stored, version.name);
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
