/**
 * The project's fixed split: test images are never trained on, and the validation images are
 * drawn from the rest with a fixed seed, so every run of a project holds out the same ones.
 * The compute process draws the same split from the same seed and fraction (run.ts passes them).
 */
import type { ProjectSplit } from '../../../shared/api/training';
import { HELD_OUT_RULE, isHeldOut, isTestImage, splitByImage } from '../../compute/train/split';
import type { Project } from '../project';
import { allEntries, type DatasetIndex } from '../dataset';

/** The seed of every project's train/validation split: fixed, so retraining never reshuffles it. */
export const PROJECT_SPLIT_SEED = 1;
/** Share of the training images held out for validation (at least one image). */
export const VALIDATION_FRACTION = 0.1;

/** The fixed split of a dataset: training, validation and test image ids. */
export function projectSplit(dataset: DatasetIndex): ProjectSplit {
  const entries = allEntries(dataset);
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
    testRule: testRuleOf(dataset),
  };
}

/** Where a dataset's test images come from, in one sentence. */
export function testRuleOf(dataset: DatasetIndex): string {
  const entries = allEntries(dataset);
  const held = entries.filter(isHeldOut).length;
  if ((dataset.splits.all ?? []).length === 0) {
    return entries.some(isTestImage)
      ? "the set's own test split"
      : 'the set has no test split and no image without one: nothing is held out for testing';
  }
  const all = (dataset.splits.all ?? []).length;
  const note =
    held === 0
      ? ' None of its images falls under the rule: add images, or arrange the set in training/ and test/ folders, to evaluate in the studio.'
      : held === all
        ? ' Every image falls under the rule, so none is left to train on: add images, or arrange the set in training/ and test/ folders.'
        : '';
  return `${held} of ${all} images held out as test: ${HELD_OUT_RULE}.${note}`;
}

/** The project_meta key the chosen split is recorded under. */
export const SPLIT_META_KEY = 'held_out_split';

/** Records the split a project uses (test ids, the rule, the seeds) in its project_meta. */
export async function recordProjectSplit(
  project: Project,
  dataset: DatasetIndex,
): Promise<ProjectSplit> {
  const split = projectSplit(dataset);
  await project.setMetaValue(
    SPLIT_META_KEY,
    JSON.stringify({ test: split.test, rule: split.testRule, validationSeed: split.seed }),
  );
  return split;
}
