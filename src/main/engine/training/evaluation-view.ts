/**
 * The evaluation the studio shows and the project keeps, in the studio's shape: the test split
 * inside the FOV against the 1st manual, pooled and per image, at threshold 0.5 and at the
 * threshold chosen on the training images (best F1), never on test images. The numbers come
 * from the one evaluation `cli eval` uses too (../metrics/split-evaluation.ts).
 */
import type {
  EvaluationProtocol,
  EvaluationView,
  MetricRow,
  PublishedRow,
} from '../../../shared/api/training';
import { viewsText } from '../../../shared/model-config';
import { PUBLISHED_DRIVE_RESULTS } from '../../../shared/published-results';
import { THRESHOLD_METRIC_NAMES, type AtThreshold, type Evaluation } from '../metrics';

/** The protocol of every number the studio shows for our models, in one line. */
export function describeProtocol(
  imageCount: number,
  observer: '1st' | '2nd' = '1st',
  flips = false,
  turns = false,
): EvaluationProtocol {
  const views = viewsText(flips, turns);
  return {
    split: 'test',
    observer,
    region: 'fov',
    pooling: 'pooled',
    threshold: { value: 0.5, chosenOn: 'fixed' },
    ...(flips ? { flips } : {}),
    ...(flips && turns ? { turns } : {}),
    description: `test split, inside the FOV, pooled over ${imageCount} images, ${observer} manual, threshold 0.5${views ? `, each map the mean over ${views}` : ''}`,
  };
}

function row(at: AtThreshold | undefined, auc: number | null, ap: number | null): MetricRow {
  const m = at?.metrics;
  return {
    auc,
    ap,
    precision: m?.precision ?? null,
    recall: m?.recall ?? null,
    specificity: m?.specificity ?? null,
    accuracy: m?.accuracy ?? null,
    f1: m?.f1 ?? null,
    iou: m?.iou ?? null,
    mcc: m?.mcc ?? null,
  };
}

/** Turns a metrics-area Evaluation (threshold 0.5 first) into the view the studio shows. */
export function toEvaluationView(
  evaluation: Evaluation,
  modelId: number | null,
  label: string,
  createdAt: string,
  flips = false,
  turns = false,
): EvaluationView {
  const fixed = evaluation.pooled.atThresholds[0];
  const trained = evaluation.pooled.atThresholds.find((a) => a.threshold.chosenOn === 'training');
  const perFixed = evaluation.perImage.atThresholds[0]?.metrics;
  const mean = (k: keyof MetricRow): number | null => {
    if (k === 'auc') return evaluation.perImage.auc.mean;
    if (k === 'ap') return evaluation.perImage.ap.mean;
    return perFixed?.[k].mean ?? null;
  };
  const std = (k: keyof MetricRow): number | null => {
    if (k === 'auc') return evaluation.perImage.auc.std;
    if (k === 'ap') return evaluation.perImage.ap.std;
    return perFixed?.[k].std ?? null;
  };
  const keys: (keyof MetricRow)[] = ['auc', 'ap', ...THRESHOLD_METRIC_NAMES];
  const roc = evaluation.pooled.roc;
  const pr = evaluation.pooled.pr;
  return {
    modelId,
    label,
    protocol: describeProtocol(evaluation.imageCount, '1st', flips, turns),
    pooled: row(fixed, evaluation.pooled.auc, evaluation.pooled.ap),
    perImageMean: Object.fromEntries(keys.map((k) => [k, mean(k)])) as unknown as MetricRow,
    perImageStd: Object.fromEntries(keys.map((k) => [k, std(k)])) as unknown as MetricRow,
    perImage: evaluation.perImage.images.map((image) => ({
      imageId: image.id,
      metrics: row(image.atThresholds[0], image.auc, image.ap),
    })),
    roc: roc ? { fpr: Float32Array.from(roc.x), tpr: Float32Array.from(roc.y) } : null,
    pr: pr ? { recall: Float32Array.from(pr.x), precision: Float32Array.from(pr.y) } : null,
    trainingThreshold: trained
      ? { value: trained.threshold.value, metrics: row(trained, null, null) }
      : null,
    createdAt,
  };
}

/** The published DRIVE rows in the studio's shape, each with its own protocol stated. */
export function publishedRows(): PublishedRow[] {
  return PUBLISHED_DRIVE_RESULTS.map((r) => ({
    method: r.method,
    source: r.source.citation,
    protocol: [r.protocol.region, r.protocol.aggregation, `threshold ${r.protocol.threshold}`].join(
      ', ',
    ),
    comparable: r.comparableWithOurs,
    f1: r.values.f1 ?? null,
    sensitivity: r.values.recall ?? null,
    specificity: r.values.specificity ?? null,
    accuracy: r.values.accuracy ?? null,
    auc: r.values.auc ?? null,
    note:
      r.verification.status === 'confirmed' ? null : `${r.verification.status} against its source`,
  }));
}
