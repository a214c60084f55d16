/**
 * Evaluations flattened into protocol rows: one row per (subject, region, aggregation,
 * threshold), each carrying its confusion counts and every metric, and a description that says
 * which protocol it used. This is what `eval --json` prints and what tables show.
 */
import type { ConfusionCounts } from './confusion';
import type { Evaluation, MeanStd, Observer, Region, ThresholdChoice } from './evaluate';
import { METRIC_NAMES, type MetricName } from '../../../shared/api/metrics';
import { THRESHOLD_METRIC_NAMES, type ThresholdMetrics } from './formulas';

/** The name of one metric a row reports (the contract's). */
export type { MetricName };

/** Whose map is scored: the model, or the other human observer. */
export type Subject = 'model' | 'second-observer';

/** Exactly how a row was computed. */
export interface RowProtocol {
  region: Region;
  aggregation: 'pooled' | 'per-image-mean';
  /** The label set used as ground truth. */
  reference: Observer;
  /** Null for a binary map (a manual segmentation needs no threshold). */
  threshold: ThresholdChoice | null;
  /** One line for tables, naming every choice above. */
  description: string;
}

/** Counts and metrics; AUC and AP are null for binary maps. */
export type CountsAndMetrics = ConfusionCounts &
  ThresholdMetrics & { auc: number | null; ap: number | null };

/** A pooled row: the counts summed over all images, metrics from those sums. */
export interface PooledRow extends CountsAndMetrics {
  id: string;
  subject: Subject;
  protocol: RowProtocol;
  imageCount: number;
  pixelCount: number;
}

/** A per-image row: each image's counts and metrics, and their mean and standard deviation. */
export interface PerImageRow {
  id: string;
  subject: Subject;
  protocol: RowProtocol;
  imageCount: number;
  mean: Record<MetricName, number | null>;
  /** Population standard deviation (ddof 0). */
  std: Record<MetricName, number | null>;
  images: (CountsAndMetrics & { id: string; pixelCount: number })[];
}

export type ProtocolRow = PooledRow | PerImageRow;

/** The metrics a row reports, in table order (the contract's list of every metric). */
export const ROW_METRIC_NAMES = METRIC_NAMES;

/** A one-line description of a protocol, e.g. for table footnotes and plot subtitles. */
export function describeProtocol(
  protocol: Omit<RowProtocol, 'description'>,
  imageCount: number,
): string {
  const region =
    protocol.region === 'fov'
      ? 'inside the FOV'
      : 'WHOLE IMAGE (background outside the FOV counted: not comparable with FOV results)';
  const aggregation =
    protocol.aggregation === 'pooled'
      ? `pooled over ${imageCount} images`
      : `mean over ${imageCount} images (std: population)`;
  const threshold =
    protocol.threshold === null
      ? 'binary map'
      : protocol.threshold.chosenOn === 'fixed'
        ? `threshold ${protocol.threshold.value} (p >= t, fixed)`
        : `threshold ${protocol.threshold.value.toFixed(4)} (p >= t, best F1 on the training images)`;
  return `${region}, ${aggregation}, ${protocol.reference} manual, ${threshold}`;
}

function thresholdTag(threshold: ThresholdChoice | null): string {
  if (threshold === null) return 'binary';
  return threshold.chosenOn === 'fixed' ? `t${threshold.value}` : 'ttraining';
}

function meanStdRecord(
  summary: Record<keyof ThresholdMetrics, MeanStd>,
  auc: MeanStd,
  ap: MeanStd,
  pick: 'mean' | 'std',
): Record<MetricName, number | null> {
  const out = {} as Record<MetricName, number | null>;
  for (const name of THRESHOLD_METRIC_NAMES) out[name] = summary[name][pick];
  out.auc = auc[pick];
  out.ap = ap[pick];
  return out;
}

/** The pooled and per-image rows of one evaluation, one pair per threshold. */
export function protocolRows(
  evaluation: Evaluation,
  subject: Subject,
  reference: Observer,
): ProtocolRow[] {
  const rows: ProtocolRow[] = [];
  const binary = evaluation.scoreKind === 'binary';
  evaluation.pooled.atThresholds.forEach((at, t) => {
    const threshold = binary ? null : at.threshold;
    const base = { region: evaluation.region, reference, threshold };
    const pooledProtocol = { ...base, aggregation: 'pooled' as const };
    const perImageProtocol = { ...base, aggregation: 'per-image-mean' as const };
    const tag = `${subject}/${evaluation.region}/${thresholdTag(threshold)}`;
    rows.push({
      id: `${tag}/pooled`,
      subject,
      protocol: {
        ...pooledProtocol,
        description: describeProtocol(pooledProtocol, evaluation.imageCount),
      },
      imageCount: evaluation.imageCount,
      pixelCount: evaluation.pixelCount,
      ...at.counts,
      ...at.metrics,
      auc: evaluation.pooled.auc,
      ap: evaluation.pooled.ap,
    });
    const summary = evaluation.perImage.atThresholds[t].metrics;
    rows.push({
      id: `${tag}/per-image`,
      subject,
      protocol: {
        ...perImageProtocol,
        description: describeProtocol(perImageProtocol, evaluation.imageCount),
      },
      imageCount: evaluation.imageCount,
      mean: meanStdRecord(summary, evaluation.perImage.auc, evaluation.perImage.ap, 'mean'),
      std: meanStdRecord(summary, evaluation.perImage.auc, evaluation.perImage.ap, 'std'),
      images: evaluation.perImage.images.map((image) => ({
        id: image.id,
        pixelCount: image.pixelCount,
        ...image.atThresholds[t].counts,
        ...image.atThresholds[t].metrics,
        auc: image.auc,
        ap: image.ap,
      })),
    });
  });
  return rows;
}
