/**
 * The one evaluation of a model's probabilities on a split, behind both front ends: `cli eval`
 * (dataset-evaluation.ts, which adds the whole image and protocol rows) and the studio's
 * evaluation view (training/evaluation.ts, inside the FOV only). Pooled and per image, at
 * threshold 0.5 and at the threshold with the best F1 on the training images (never the
 * evaluated images), and the other human observer scored as a binary map the same way.
 */
import type { ScoredImage } from './confusion';
import {
  chooseThresholdOnTraining,
  evaluateImages,
  type Evaluation,
  type ThresholdChoice,
} from './evaluate';

/** Threshold 0.5, fixed in advance: the primary protocol. */
export const FIXED_THRESHOLD: ThresholdChoice = { value: 0.5, chosenOn: 'fixed' };

/** An evaluated image: its probabilities, the reference label and its FOV. */
export interface LabelledImage {
  id: string;
  scores: Float32Array;
  label: Uint8Array;
  fov: Uint8Array;
}

/** Inside the FOV only (the studio), or also on the whole image, labelled (`cli eval`). */
export type SplitRegions = 'fov' | 'fov-and-whole-image';

/** An evaluation inside the FOV, and on the whole image when it was asked for. */
export interface RegionEvaluations {
  fov: Evaluation;
  wholeImage: Evaluation | null;
}

function scored(images: readonly LabelledImage[], region: 'fov' | 'whole-image'): ScoredImage[] {
  return images.map((i) => ({
    id: i.id,
    scores: i.scores,
    label: i.label,
    region: region === 'fov' ? i.fov : null,
  }));
}

/**
 * Threshold 0.5, then the best-F1 threshold chosen on `training` (FOV-scored training images)
 * when there are any.
 */
export function splitThresholds(training: readonly ScoredImage[] | null): ThresholdChoice[] {
  return training && training.length > 0
    ? [FIXED_THRESHOLD, chooseThresholdOnTraining(training)]
    : [FIXED_THRESHOLD];
}

/** A model's probabilities on `images` at `thresholds` (0.5 first), per region. */
export function evaluateModelOnSplit(
  images: readonly LabelledImage[],
  thresholds: ThresholdChoice[],
  regions: SplitRegions,
): RegionEvaluations {
  return {
    fov: evaluateImages(scored(images, 'fov'), { region: 'fov', thresholds }),
    wholeImage:
      regions === 'fov'
        ? null
        : evaluateImages(scored(images, 'whole-image'), { region: 'whole-image', thresholds }),
  };
}

/**
 * The other observer's labels (`others[i]` for `images[i]`) scored as a binary map against the
 * reference at threshold 0.5, per region.
 */
export function evaluateObserverOnSplit(
  images: readonly Omit<LabelledImage, 'scores'>[],
  others: readonly Uint8Array[],
  regions: SplitRegions,
): RegionEvaluations {
  const observerImages = images.map((image, i) => ({
    ...image,
    scores: Float32Array.from(others[i]),
  }));
  const binary = { thresholds: [FIXED_THRESHOLD], scoreKind: 'binary' as const };
  return {
    fov: evaluateImages(scored(observerImages, 'fov'), { region: 'fov', ...binary }),
    wholeImage:
      regions === 'fov'
        ? null
        : evaluateImages(scored(observerImages, 'whole-image'), {
            region: 'whole-image',
            ...binary,
          }),
  };
}

/** What evaluateSplit needs: scored images, the training images and the other observer. */
export interface SplitEvaluationInput {
  images: readonly LabelledImage[];
  /** FOV-scored training images the second threshold is chosen on; null or empty: 0.5 only. */
  training: readonly ScoredImage[] | null;
  /** The other observer's labels per image, in order; scored only when every image has them. */
  others: readonly (Uint8Array | null)[] | null;
  regions: SplitRegions;
}

/** The evaluation of a split: its thresholds, the model, and the other observer when scored. */
export interface SplitEvaluation {
  thresholds: ThresholdChoice[];
  model: RegionEvaluations;
  secondObserver: RegionEvaluations | null;
}

/** Evaluates a model's probabilities on a split (see the file comment). */
export function evaluateSplit(input: SplitEvaluationInput): SplitEvaluation {
  const thresholds = splitThresholds(input.training);
  const others = input.others;
  const complete =
    others !== null && others.length === input.images.length && others.every((o) => o !== null);
  return {
    thresholds,
    model: evaluateModelOnSplit(input.images, thresholds, input.regions),
    secondObserver: complete
      ? evaluateObserverOnSplit(input.images, others as readonly Uint8Array[], input.regions)
      : null,
  };
}
