/**
 * The train/validation split is by image, never by patch (patches of one image in both halves
 * would make validation flatter than the truth), and never touches test images: they are kept
 * for the evaluation the figures are reported on.
 */
import { SeededRandom } from '../../engine/dataset/random';

/** Random stream of the split (the patch streams use others). */
export const SPLIT_STREAM = 1;

export interface ImageSplit {
  seed: number;
  train: string[];
  validation: string[];
  /** Images left out because they belong to the test split. */
  excluded: string[];
}

/**
 * True for an image of a test split (`test`, `testing`, or an id under `test/`). Sets without
 * a split (`all`) are usable: the caller keeps its own test images out.
 */
export function isTestImage(image: { id: string; split: string }): boolean {
  const split = image.split.toLowerCase();
  return split === 'test' || split === 'testing' || /^test(ing)?\//i.test(image.id);
}

/**
 * Splits images into training and validation by a seeded shuffle of their sorted ids.
 * With a fraction above 0 and at least two usable images, validation gets at least one.
 */
export function splitByImage(
  images: ReadonlyArray<{ id: string; split: string }>,
  validationFraction: number,
  seed: number,
): ImageSplit {
  const excluded = images
    .filter(isTestImage)
    .map((i) => i.id)
    .sort();
  const usable = images
    .filter((i) => !isTestImage(i))
    .map((i) => i.id)
    .sort();
  let count = Math.round(usable.length * validationFraction);
  if (validationFraction > 0 && usable.length >= 2) count = Math.max(1, count);
  count = Math.min(count, usable.length - 1);
  const random = new SeededRandom(seed, SPLIT_STREAM);
  const order = usable.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  const validation = order.slice(0, Math.max(0, count)).sort();
  const train = order.slice(Math.max(0, count)).sort();
  return { seed, train, validation, excluded };
}

/**
 * The split when the caller fixes the validation images: the other usable images train.
 * Throws when a validation id is unknown or a test image, naming it.
 */
export function splitWithValidation(
  images: ReadonlyArray<{ id: string; split: string }>,
  validationIds: readonly string[],
  seed: number,
): ImageSplit {
  const known = new Map(images.map((i) => [i.id, i]));
  for (const id of validationIds) {
    const image = known.get(id);
    if (!image)
      throw new Error(
        `Validation image ${id} is not among the training data; choose images of the dataset's training split.`,
      );
    if (isTestImage(image))
      throw new Error(
        `Validation image ${id} belongs to the test split; test images are kept for evaluation only.`,
      );
  }
  const validation = [...new Set(validationIds)].sort();
  const excluded = images
    .filter(isTestImage)
    .map((i) => i.id)
    .sort();
  const train = images
    .filter((i) => !isTestImage(i) && !validation.includes(i.id))
    .map((i) => i.id)
    .sort();
  return { seed, train, validation, excluded };
}
