/**
 * Metrics: confusion counts inside a region, threshold metrics, exact AUC-ROC and average
 * precision, ROC and PR curves, pooled and per-image evaluation. Plain Node, no tfjs.
 */
export {
  countConfusion,
  emptyCounts,
  sumCounts,
  type ConfusionCounts,
  type ScoredImage,
} from './confusion';
export { metricsFromCounts, THRESHOLD_METRIC_NAMES, type ThresholdMetrics } from './formulas';
export {
  areaUnderRoc,
  averagePrecision,
  bestF1Threshold,
  countsAtThreshold,
  rankImages,
  type RankedScores,
} from './ranking';
export {
  curveArea,
  downsampleCurve,
  precisionRecallCurve,
  rocCurve,
  type AreaRule,
  type Curve,
  type DownsampleOptions,
  type StoredCurve,
} from './curves';
export {
  chooseThresholdOnTraining,
  evaluateImages,
  meanAndStd,
  type AtThreshold,
  type EvaluateOptions,
  type Evaluation,
  type ImageEvaluation,
  type MeanStd,
  type Observer,
  type Region,
  type ThresholdChoice,
} from './evaluate';
