/**
 * The project's fixed split: test images are never trained on, and the validation images are
 * drawn from the rest with a fixed seed, so every run of a project holds out the same ones.
 * The compute process draws the same split from the same seed and fraction (run.ts passes them).
 */
import type { ProjectSplit } from '../../../shared/api/training';
import { isTestImage, splitByImage } from '../../compute/train/split';
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
  };
}
