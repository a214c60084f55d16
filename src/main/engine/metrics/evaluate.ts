/**
 * Evaluation of a set of images under one protocol: the region (inside the FOV, or the whole
 * image, labelled as such), pooled over all pixels and per image (mean and standard deviation),
 * at each given threshold, with exact AUC-ROC, average precision and both curves.
 */
import { AppError } from '../../../shared/result';
import type { ConfusionCounts, ScoredImage } from './confusion';
import { downsampleCurve, type DownsampleOptions, type StoredCurve } from './curves';
import { metricsFromCounts, THRESHOLD_METRIC_NAMES, type ThresholdMetrics } from './formulas';
import { bestF1Threshold, rankImages, rankStatsByTag, sortImagePixels } from './ranking';
import { walkPooledRanking } from './pooled-ranking';
import { METRICS_ERROR_CODES } from '../../../shared/api/errors';

/** Which manual segmentation is the ground truth (DRIVE: 1st_manual or 2nd_manual). */
export type Observer = '1st' | '2nd';

/** Where pixels are scored. `whole-image` inflates accuracy and specificity: always say so. */
export type Region = 'fov' | 'whole-image';

/** A threshold and where it came from: fixed in advance or chosen on training images. */
export interface ThresholdChoice {
  value: number;
  chosenOn: 'fixed' | 'training';
  /** For `training`: the pooled F1 it reached on the training images. */
  trainingF1?: number;
}

/** Mean and population standard deviation (ddof 0, as numpy.std) over the images that define it. */
export interface MeanStd {
  mean: number | null;
  std: number | null;
  /** Images where the value is defined (a metric with a zero denominator is left out). */
  n: number;
}

/** Counts and metrics at one threshold. */
export interface AtThreshold {
  threshold: ThresholdChoice;
  counts: ConfusionCounts;
  metrics: ThresholdMetrics;
}

/** One image's result. */
export interface ImageEvaluation {
  id: string;
  pixelCount: number;
  auc: number | null;
  ap: number | null;
  atThresholds: AtThreshold[];
}

/** A whole evaluation under one region. */
export interface Evaluation {
  region: Region;
  /** `binary` scores (a manual segmentation) have no curve: AUC and AP are null. */
  scoreKind: 'probability' | 'binary';
  imageCount: number;
  pixelCount: number;
  positives: number;
  negatives: number;
  pooled: {
    auc: number | null;
    ap: number | null;
    roc: StoredCurve | null;
    pr: StoredCurve | null;
    atThresholds: AtThreshold[];
  };
  perImage: {
    images: ImageEvaluation[];
    auc: MeanStd;
    ap: MeanStd;
    atThresholds: {
      threshold: ThresholdChoice;
      metrics: Record<keyof ThresholdMetrics, MeanStd>;
    }[];
  };
}

export interface EvaluateOptions {
  region: Region;
  thresholds: readonly ThresholdChoice[];
  scoreKind?: 'probability' | 'binary';
  downsample?: DownsampleOptions;
}

/** Mean and population standard deviation of the defined values. */
export function meanAndStd(values: readonly (number | null)[]): MeanStd {
  const defined = values.filter((v): v is number => v !== null);
  const n = defined.length;
  if (n === 0) return { mean: null, std: null, n };
  const mean = defined.reduce((s, v) => s + v, 0) / n;
  const variance = defined.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
  return { mean, std: Math.sqrt(variance), n };
}

function checkRegions(images: readonly ScoredImage[], region: Region): void {
  for (const image of images) {
    if (region === 'fov' && image.region === null) {
      throw new AppError(
        METRICS_ERROR_CODES.NO_FOV,
        `${image.id}: no FOV mask was given, so it cannot be scored inside the FOV; ` +
          'add the mask file or choose the whole-image protocol (and label it so).',
      );
    }
    if (region === 'whole-image' && image.region !== null) {
      throw new AppError(
        METRICS_ERROR_CODES.REGION_MISMATCH,
        `${image.id}: a FOV mask was given for a whole-image evaluation; pass region null.`,
      );
    }
  }
}

/** Evaluates the images under one region at the given thresholds, pooled and per image. */
export function evaluateImages(
  images: readonly ScoredImage[],
  options: EvaluateOptions,
): Evaluation {
  if (images.length === 0) {
    throw new AppError(
      METRICS_ERROR_CODES.NO_IMAGES,
      'There are no images to evaluate; check the split and the folder.',
    );
  }
  checkRegions(images, options.region);
  const scoreKind = options.scoreKind ?? 'probability';
  const withCurves = scoreKind === 'probability';

  // One pooled sort carrying the image index gives the pooled ranking and every image's own.
  const sorted = sortImagePixels(images);
  const sizes = sorted.sizes;
  const total = sorted.keys.length;
  const thresholdValues = options.thresholds.map((t) => t.value);
  const ranked = walkPooledRanking(sorted.keys, thresholdValues);
  const byImage = rankStatsByTag(sorted.keys, sorted.tags, images.length, thresholdValues);

  const perImages: ImageEvaluation[] = images.map((image, i) => ({
    id: image.id,
    pixelCount: sizes[i],
    auc: withCurves ? byImage.auc[i] : null,
    ap: withCurves ? byImage.ap[i] : null,
    atThresholds: options.thresholds.map((threshold, k) => {
      const counts = byImage.counts[k][i];
      return { threshold, counts, metrics: metricsFromCounts(counts) };
    }),
  }));

  const auc = withCurves ? ranked.auc : null;
  const ap = withCurves ? ranked.ap : null;
  const roc =
    withCurves && auc !== null
      ? downsampleCurve(ranked.roc, 'trapezoid', options.downsample)
      : null;
  const pr =
    withCurves && ap !== null ? downsampleCurve(ranked.pr, 'step', options.downsample) : null;
  const pooledAtThresholds = options.thresholds.map((threshold, k) => {
    const counts = ranked.counts[k];
    return { threshold, counts, metrics: metricsFromCounts(counts) };
  });

  return {
    region: options.region,
    scoreKind,
    imageCount: images.length,
    pixelCount: total,
    positives: ranked.positives,
    negatives: ranked.negatives,
    pooled: { auc, ap, roc, pr, atThresholds: pooledAtThresholds },
    perImage: {
      images: perImages,
      auc: meanAndStd(perImages.map((p) => p.auc)),
      ap: meanAndStd(perImages.map((p) => p.ap)),
      atThresholds: options.thresholds.map((threshold, t) => ({
        threshold,
        metrics: Object.fromEntries(
          THRESHOLD_METRIC_NAMES.map((name) => [
            name,
            meanAndStd(perImages.map((p) => p.atThresholds[t].metrics[name])),
          ]),
        ) as Record<keyof ThresholdMetrics, MeanStd>,
      })),
    },
  };
}

/**
 * The threshold with the best pooled F1 on training images (inside their region). Never call it
 * with test images: a threshold tuned on the test set is not a result.
 */
export function chooseThresholdOnTraining(trainingImages: readonly ScoredImage[]): ThresholdChoice {
  if (trainingImages.length === 0) {
    throw new AppError(
      METRICS_ERROR_CODES.NO_TRAINING_IMAGES,
      'No training images to choose a threshold on.',
    );
  }
  // Ids are `<split>/<stem>`: a test image here would make the threshold a test-set result.
  const testImage = trainingImages.find((image) => image.id.startsWith('test/'));
  if (testImage) {
    throw new AppError(
      METRICS_ERROR_CODES.THRESHOLD_ON_TEST,
      `${testImage.id} is a test image: a threshold is chosen on training images only, never on the images it is reported on.`,
    );
  }
  const best = bestF1Threshold(rankImages(trainingImages));
  if (best === null) {
    throw new AppError(
      METRICS_ERROR_CODES.NO_POSITIVES,
      'The training labels contain no vessel pixel inside the region, so no threshold can be chosen; check the label files.',
    );
  }
  return { value: best.threshold, chosenOn: 'training', trainingF1: best.f1 };
}
