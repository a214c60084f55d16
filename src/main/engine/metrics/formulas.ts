/**
 * The threshold metrics, each from the four confusion counts. A metric whose denominator is zero
 * is `null` (undefined), never 0 or NaN, so JSON keeps it and a reader sees it is missing.
 */
import { THRESHOLD_METRIC_NAMES, type ThresholdMetricName } from '../../../shared/api/metrics';
import type { ConfusionCounts } from './confusion';

/** The names of the threshold metrics, in the order tables show them (the contract's list). */
export { THRESHOLD_METRIC_NAMES };

/**
 * Every metric that a single threshold gives, keyed by the contract's names: precision, recall
 * (sensitivity, true positive rate), specificity, accuracy, F1 (for binary masks the Dice
 * coefficient), IoU (Jaccard of the vessel class, F1 / (2 - F1)) and MCC (Matthews).
 */
export type ThresholdMetrics = Record<ThresholdMetricName, number | null>;

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** Precision, recall, specificity, accuracy, F1 (Dice), IoU and MCC from confusion counts. */
export function metricsFromCounts({ tp, fp, fn, tn }: ConfusionCounts): ThresholdMetrics {
  const product = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn);
  return {
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    accuracy: ratio(tp + tn, tp + fp + fn + tn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    iou: ratio(tp, tp + fp + fn),
    // Products of counts reach 1e26 on pooled DRIVE: doubles hold that, to 1e-16 relative.
    mcc: product === 0 ? null : (tp * tn - fp * fn) / Math.sqrt(product),
  };
}
