/**
 * Metrics: confusion counts inside a region, threshold metrics, exact AUC-ROC and average
 * precision, ROC and PR curves, pooled and per-image evaluation, dataset evaluation, export.
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
  rankStatsByTag,
  sortImagePixels,
  type RankedScores,
  type SortedPixels,
  type TagStats,
} from './ranking';
export { walkPooledRanking, type PooledRanking } from './pooled-ranking';
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
export {
  describeProtocol,
  protocolRows,
  ROW_METRIC_NAMES,
  type CountsAndMetrics,
  type MetricName,
  type PerImageRow,
  type PooledRow,
  type ProtocolRow,
  type RowProtocol,
  type Subject,
} from './report';
export {
  evaluateDatasetSplit,
  type DatasetEvaluation,
  type DatasetEvaluationOptions,
} from './dataset-evaluation';
export {
  checkPredictionFolder,
  readProbabilityPng,
  writeProbabilityPng,
  type ProbabilityMap,
} from './probability-maps';
export {
  curvePlotSvg,
  OKABE_ITO,
  type CurvePlotSpec,
  type PlotPoint,
  type PlotSeries,
} from './plot-svg';
export {
  curveCsv,
  ERROR_MAP_COLOURS,
  errorMapRgb,
  metricsCsv,
  writeImageMaps,
  writePlot,
  type ExportImage,
} from './export';
