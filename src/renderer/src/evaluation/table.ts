/**
 * The metrics table of the evaluation panel as plain data: rows for our model versions, the
 * second observer and the published results, each with the protocol it was measured under.
 * The panel renders it and the CSV export writes it, so both always agree.
 */
import {
  HEADLINE_METRIC_NAMES,
  THRESHOLD_METRIC_NAMES,
  type HeadlineMetricName,
  type MetricName,
  type ThresholdMetricName,
} from '../../../shared/api/metrics';
import type { EvaluationView, MetricRow, PublishedRow } from '../../../shared/api/training';

/** The name of one column of the table: a headline or threshold metric (AP is not shown). */
export type TableColumn = HeadlineMetricName | ThresholdMetricName;

const HEADLINE: ReadonlySet<MetricName> = new Set(HEADLINE_METRIC_NAMES);

/**
 * The metrics the table shows (contract names), in the panel's order: the headline figures,
 * then the other threshold metrics in their own order.
 */
export const TABLE_COLUMNS: readonly TableColumn[] = [
  ...HEADLINE_METRIC_NAMES,
  ...THRESHOLD_METRIC_NAMES.filter((name) => !HEADLINE.has(name)),
];

/** Each column's header: short enough for eight columns in the pane, with its full name. */
export const COLUMN_LABELS: Record<TableColumn, { short: string; full: string }> = {
  auc: { short: 'AUC', full: 'area under the ROC curve' },
  f1: { short: 'F1', full: 'F1 (Dice)' },
  precision: { short: 'Prec', full: 'precision' },
  recall: { short: 'Se', full: 'sensitivity (recall)' },
  specificity: { short: 'Sp', full: 'specificity' },
  accuracy: { short: 'Acc', full: 'accuracy' },
  iou: { short: 'IoU', full: 'intersection over union (Jaccard)' },
  mcc: { short: 'MCC', full: 'Matthews correlation coefficient' },
};

export interface TableRow {
  kind: 'model' | 'observer' | 'published';
  label: string;
  /** `pooled`, `per-image mean ± std`, or the published row's own protocol. */
  protocol: string;
  /** The protocol in a few words for the table (`FOV, pooled`); `protocol` has all of it. */
  protocolSummary: string;
  comparable: boolean;
  values: Record<TableColumn, number | null>;
  /** Per-image standard deviations (only on per-image rows). */
  std: Partial<Record<TableColumn, number | null>>;
  source: string;
}

/** `FOV, pooled` or `FOV, per image`: where and how our rows were scored. */
function ourSummary(view: EvaluationView, pooling: 'pooled' | 'per image'): string {
  return `${view.protocol.region === 'fov' ? 'FOV' : 'whole image'}, ${pooling}`;
}

/**
 * A published row's protocol in a few words. A comparable row was scored as ours; the region
 * leads the engine's `region, aggregation, threshold` line of the others.
 */
function publishedSummary(row: PublishedRow): string {
  if (row.comparable) return 'FOV, pooled';
  const region = row.protocol.split(',')[0]!.trim().toLowerCase().replace('-', ' ');
  const where = region === 'whole image' ? 'whole image' : region === 'fov' ? 'FOV' : 'not stated';
  return `${where}, not comparable`;
}

function pick(row: MetricRow): Record<TableColumn, number | null> {
  return Object.fromEntries(TABLE_COLUMNS.map((c) => [c, row[c]])) as Record<
    TableColumn,
    number | null
  >;
}

/** Rows for the evaluations (pooled and per-image), the second observer and published results. */
export function buildMetricsTable(
  evaluations: EvaluationView[],
  secondObserver: EvaluationView | null,
  published: PublishedRow[],
): TableRow[] {
  const rows: TableRow[] = [];
  const ours = [...evaluations, ...(secondObserver ? [secondObserver] : [])];
  for (const view of ours) {
    const kind = view.modelId === null ? 'observer' : 'model';
    const source = kind === 'observer' ? 'DRIVE 2nd_manual vs 1st_manual' : 'this project';
    rows.push({
      kind,
      label: view.label,
      protocol: view.protocol.description,
      protocolSummary: ourSummary(view, 'pooled'),
      comparable: view.protocol.region === 'fov',
      values: pick(view.pooled),
      std: {},
      source,
    });
    rows.push({
      kind,
      label: view.label,
      protocol: `${view.protocol.description.replace('pooled', 'per-image mean ± std')}`,
      protocolSummary: ourSummary(view, 'per image'),
      comparable: view.protocol.region === 'fov',
      values: pick(view.perImageMean),
      std: pick(view.perImageStd),
      source,
    });
  }
  for (const p of published) {
    rows.push({
      kind: 'published',
      label: p.method,
      protocol: p.protocol,
      protocolSummary: publishedSummary(p),
      comparable: p.comparable,
      values: {
        auc: p.auc,
        f1: p.f1,
        precision: null,
        recall: p.sensitivity,
        specificity: p.specificity,
        accuracy: p.accuracy,
        iou: null,
        mcc: null,
      },
      std: {},
      source: p.source + (p.note ? ` (${p.note})` : ''),
    });
  }
  return rows;
}

/** Four decimals, or an en dash for a value that is missing or undefined. */
export function formatMetric(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(4);
}

/** A per-image standard deviation in the table: `±0.023` (three decimals are enough for a spread). */
export function formatStd(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? ''
    : `±${value.toFixed(3)}`;
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The table as CSV (RFC 4180): one header line, one line per row, full precision numbers. */
export function metricsTableCsv(rows: TableRow[]): string {
  const header = [
    'kind',
    'label',
    'protocol',
    'comparable',
    ...TABLE_COLUMNS,
    ...TABLE_COLUMNS.map((c) => `${c}_std`),
    'source',
  ];
  const lines = [header.join(',')];
  for (const row of rows) {
    lines.push(
      [
        row.kind,
        row.label,
        row.protocol,
        String(row.comparable),
        ...TABLE_COLUMNS.map((c) => (row.values[c] === null ? '' : String(row.values[c]))),
        ...TABLE_COLUMNS.map((c) => {
          const v = row.std[c];
          return v === null || v === undefined ? '' : String(v);
        }),
        row.source,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
