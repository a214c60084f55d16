import { describe, expect, it } from 'vitest';
import type { EvaluationView, MetricRow, PublishedRow } from '../../../shared/api/training';
import { prSeries, rocPoints, rocSeries } from './curves';
import { buildMetricsTable, formatMetric, formatStd, metricsTableCsv } from './table';

const row = (v: number): MetricRow => ({
  auc: v,
  ap: v,
  precision: v,
  recall: v,
  specificity: v,
  accuracy: v,
  f1: v,
  iou: v,
  mcc: v,
});

function view(modelId: number | null, label: string, v: number): EvaluationView {
  return {
    modelId,
    label,
    protocol: {
      split: 'test',
      observer: '1st',
      region: 'fov',
      pooling: 'pooled',
      threshold: { value: 0.5, chosenOn: 'fixed' },
      description: 'test split, inside the FOV, pooled over 2 images, 1st manual, threshold 0.5',
    },
    pooled: row(v),
    perImageMean: row(v - 0.01),
    perImageStd: row(0.02),
    perImage: [],
    roc:
      modelId === null
        ? null
        : { fpr: new Float32Array([0, 0.5, 1]), tpr: new Float32Array([0, 0.75, 1]) },
    pr: null,
    trainingThreshold: null,
    createdAt: '2026-01-01T00:00:00Z',
  };
}

const published: PublishedRow[] = [
  {
    method: 'LadderNet',
    source: 'Zhuang 2018',
    protocol: 'FOV, pooled, 0.5',
    comparable: true,
    f1: 0.8202,
    sensitivity: 0.7856,
    specificity: 0.981,
    accuracy: 0.9561,
    auc: 0.9793,
    note: null,
  },
  {
    method: 'SA-UNet',
    source: 'Guo 2020',
    protocol: 'whole image',
    comparable: false,
    f1: 0.8263,
    sensitivity: 0.8212,
    specificity: null,
    accuracy: 0.9698,
    auc: 0.9864,
    note: 'scored on the whole image, "quoted"',
  },
];

describe('metrics table', () => {
  it('has pooled and per-image rows for each evaluation and the observer, then published rows', () => {
    const rows = buildMetricsTable(
      [view(3, 'v3', 0.9)],
      view(null, 'Second observer', 0.8),
      published,
    );
    expect(rows.map((r) => [r.kind, r.label])).toEqual([
      ['model', 'v3'],
      ['model', 'v3'],
      ['observer', 'Second observer'],
      ['observer', 'Second observer'],
      ['published', 'LadderNet'],
      ['published', 'SA-UNet'],
    ]);
    expect(rows[1]?.protocol).toMatch(/per-image mean ± std/);
    expect(rows[1]?.std.f1).toBe(0.02);
    expect(rows[4]?.values.recall).toBe(0.7856);
    expect(rows[5]?.comparable).toBe(false);
  });

  it('sums each protocol up in a few words, the full text kept beside it', () => {
    const notStated: PublishedRow = {
      ...published[0]!,
      method: 'R2U-Net',
      protocol: 'not stated, not stated, threshold not stated',
      comparable: false,
    };
    const rows = buildMetricsTable([view(3, 'v3', 0.9)], null, [...published, notStated]);
    expect(rows.map((r) => r.protocolSummary)).toEqual([
      'FOV, pooled',
      'FOV, per image',
      'FOV, pooled',
      'whole image, not comparable',
      'not stated, not comparable',
    ]);
    expect(rows[0]?.protocol).toBe(
      'test split, inside the FOV, pooled over 2 images, 1st manual, threshold 0.5',
    );
  });

  it('writes RFC 4180 CSV with quoting and empty cells for missing values', () => {
    const csv = metricsTableCsv(buildMetricsTable([], null, published));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'kind,label,protocol,comparable,auc,f1,precision,recall,specificity,accuracy,iou,mcc,auc_std,f1_std,precision_std,recall_std,specificity_std,accuracy_std,iou_std,mcc_std,source',
    );
    expect(lines[1]).toBe(
      'published,LadderNet,"FOV, pooled, 0.5",true,0.9793,0.8202,,0.7856,0.981,0.9561,,,,,,,,,,,Zhuang 2018',
    );
    expect(lines[2]).toContain('"Guo 2020 (scored on the whole image, ""quoted"")"');
    expect(lines[3]).toBe('');
  });

  it('formats four decimals and a dash for undefined values', () => {
    expect(formatMetric(0.97931)).toBe('0.9793');
    expect(formatMetric(null)).toBe('–');
    expect(formatMetric(Number.NaN)).toBe('–');
  });

  it('formats a standard deviation compactly, and nothing when there is none', () => {
    expect(formatStd(0.02345)).toBe('±0.023');
    expect(formatStd(null)).toBe('');
    expect(formatStd(undefined)).toBe('');
  });
});

describe('curve series', () => {
  it('pairs ROC arrays into points and labels them with their AUC', () => {
    const [series] = rocSeries([view(3, 'v3', 0.9), view(null, 'Second observer', 0.8)]);
    expect(series?.points).toEqual([
      { x: 0, y: 0 },
      { x: 0.5, y: 0.75 },
      { x: 1, y: 1 },
    ]);
    expect(series?.label).toBe('v3 (AUC 0.9000)');
  });

  it('builds one PR series per view with a curve: recall on x, precision on y, AP in the label', () => {
    const withCurve: EvaluationView = {
      ...view(4, 'v4', 0.85),
      pr: { recall: new Float32Array([0, 0.5, 1]), precision: new Float32Array([1, 0.75, 0.25]) },
    };
    const series = prSeries([view(3, 'v3', 0.9), withCurve]);
    expect(series).toEqual([
      {
        key: 'm4',
        label: 'v4 (AP 0.8500)',
        points: [
          { x: 0, y: 1 },
          { x: 0.5, y: 0.75 },
          { x: 1, y: 0.25 },
        ],
        area: 0.85,
      },
    ]);
  });

  it('places the second observer and comparable published rows on the ROC plane', () => {
    const points = rocPoints(view(null, 'Second observer', 0.8), published);
    expect(points.map((p) => p.key)).toEqual(['observer', 'pub-LadderNet']);
    expect(points[0]?.x).toBeCloseTo(0.2, 9);
    expect(points[1]?.x).toBeCloseTo(0.019, 9);
    expect(points[1]?.y).toBe(0.7856);
  });
});
