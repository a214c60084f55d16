import { describe, expect, it } from 'vitest';
import { evaluateImages } from './evaluate';
import { ERROR_MAP_COLOURS, errorMapRgb, metricsCsv } from './export';
import { protocolRows } from './report';

describe('errorMapRgb', () => {
  it('colours TP, FP, FN, TN and outside-FOV pixels', () => {
    const rgb = errorMapRgb(
      {
        id: 'x',
        stem: 'x',
        width: 5,
        height: 1,
        scores: Float32Array.from([0.9, 0.9, 0.1, 0.1, 0.9]),
        label: Uint8Array.from([1, 0, 1, 0, 1]),
        fov: Uint8Array.from([1, 1, 1, 1, 0]),
      },
      0.5,
    );
    const c = ERROR_MAP_COLOURS;
    expect(Array.from(rgb)).toEqual([
      ...c.truePositive,
      ...c.falsePositive,
      ...c.falseNegative,
      ...c.trueNegative,
      ...c.outsideFov,
    ]);
  });
});

describe('metricsCsv', () => {
  it('writes one line per pooled row, and mean, std and each image for per-image rows', () => {
    const evaluation = evaluateImages(
      [
        {
          id: 'a',
          scores: Float32Array.from([0.9, 0.2]),
          label: Uint8Array.from([1, 0]),
          region: null,
        },
        {
          id: 'b',
          scores: Float32Array.from([0.4, 0.6]),
          label: Uint8Array.from([1, 0]),
          region: null,
        },
      ],
      { region: 'whole-image', thresholds: [{ value: 0.5, chosenOn: 'fixed' }] },
    );
    const lines = metricsCsv(protocolRows(evaluation, 'model', '1st'))
      .trim()
      .split('\n');
    expect(lines).toHaveLength(1 + 1 + 2 + 2);
    expect(lines[1]).toMatch(
      /^model\/whole-image\/t0\.5\/pooled,model,whole-image,pooled,1st,0\.5,fixed,pooled,all,1,1,1,1,/,
    );
    expect(lines[1]).toMatch(
      /"WHOLE IMAGE \(background outside the FOV counted: not comparable with FOV results\), pooled/,
    );
    expect(lines.map((l) => l.split(',')[7])).toEqual([
      'statistic',
      'pooled',
      'mean',
      'std',
      'image',
      'image',
    ]);
  });
});
