/**
 * The names of the segmentation metrics, declared once for the engine (formulas, protocol
 * rows, CSV export), the contract (evaluation views) and the renderer (metrics table), so a
 * metric added here is a compile error everywhere it is not yet handled.
 */

/**
 * The metrics a single threshold gives, in the order tables show them: precision, recall
 * (sensitivity), specificity, accuracy, F1 (Dice for binary masks), IoU (Jaccard of the vessel
 * class) and MCC (Matthews correlation coefficient).
 */
export const THRESHOLD_METRIC_NAMES = [
  'precision',
  'recall',
  'specificity',
  'accuracy',
  'f1',
  'iou',
  'mcc',
] as const;

/** The name of one threshold metric. */
export type ThresholdMetricName = (typeof THRESHOLD_METRIC_NAMES)[number];

/** Every metric an evaluation row reports, in table order: the threshold ones, then AUC and AP. */
export const METRIC_NAMES = [...THRESHOLD_METRIC_NAMES, 'auc', 'ap'] as const;

/** The name of one metric. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** The headline figures of a model version and the ones a comparison of two versions shows. */
export const HEADLINE_METRIC_NAMES = [
  'auc',
  'f1',
  'precision',
  'recall',
] as const satisfies readonly MetricName[];

/** The name of one headline metric. */
export type HeadlineMetricName = (typeof HEADLINE_METRIC_NAMES)[number];
