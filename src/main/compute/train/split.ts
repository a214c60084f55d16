/**
 * The train/validation split is by image, never by patch (patches of one image in both halves
 * would make validation flatter than the truth), and never touches test images: they are kept
 * for the evaluation the figures are reported on. A set that ships no test split (STARE,
 * CHASE_DB1, HRF, a generic images/ + labels/ folder: split `all`) has test images held out by
 * a seeded rule on each image's own name, so the compute process, the studio and the CLI agree
 * without passing a list, and adding or removing an image never moves another one.
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

/** Seed of the held-out rule for sets without a test split. */
export const HELD_OUT_SEED = 6;
/** An image of a set without a test split is held out when its rank is below this share. */
export const HELD_OUT_SHARE = 0.25;

/** FNV-1a (32 bit) of a string, finished by MurmurHash3's mixer so close names spread apart. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** An image's place in [0, 1) under the held-out rule: fixed by the seed and its name. */
export function heldOutRank(name: string, seed = HELD_OUT_SEED): number {
  return hash32(`${seed}:${name}`) / 2 ** 32;
}

/** The image's name: its id without the split folder (`all/im0001` -> `im0001`). */
function nameOf(id: string): string {
  const slash = id.indexOf('/');
  return slash < 0 ? id : id.slice(slash + 1);
}

/** True for an image of a set without a test split (`all`) that the seeded rule holds out. */
export function isHeldOut(image: { id: string; split: string }): boolean {
  return image.split.toLowerCase() === 'all' && heldOutRank(nameOf(image.id)) < HELD_OUT_SHARE;
}

/** How the held-out images of a set without a test split are chosen, in one sentence. */
export const HELD_OUT_RULE =
  `the set ships no test split, so its images are held out as test by a seeded rule on each ` +
  `image's name (FNV-1a hash of "${HELD_OUT_SEED}:<name>", mixed; test when it falls in the ` +
  `lowest ${HELD_OUT_SHARE * 100}%): deterministic, and adding or removing an image never moves another`;

/**
 * True for an image of a test split (`test`, `testing`, or an id under `test/`), or an image
 * of a set without a split (`all`) that the held-out rule keeps for testing (isHeldOut).
 */
export function isTestImage(image: { id: string; split: string }): boolean {
  const split = image.split.toLowerCase();
  return (
    split === 'test' || split === 'testing' || /^test(ing)?\//i.test(image.id) || isHeldOut(image)
  );
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
