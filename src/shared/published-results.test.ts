import { describe, expect, it } from 'vitest';
import { PUBLISHED_DRIVE_RESULTS, UNET_PAPER_CLAIMS } from './published-results';

describe('published DRIVE results', () => {
  it('keep every figure a fraction and every confirmed figure among the values', () => {
    for (const row of PUBLISHED_DRIVE_RESULTS) {
      for (const value of Object.values(row.values)) {
        expect(value).toBeGreaterThan(0);
        expect(value).toBeLessThan(1);
      }
      for (const name of row.verification.confirmed) expect(row.values[name]).toBeDefined();
      expect(row.verification.checkedAgainst.length).toBeGreaterThan(0);
      expect(row.source.url).toMatch(/^https:\/\//);
    }
    expect(new Set(PUBLISHED_DRIVE_RESULTS.map((r) => r.id)).size).toBe(
      PUBLISHED_DRIVE_RESULTS.length,
    );
  });

  it('mark only FOV, pooled, threshold-0.5 rows comparable, and never a whole-image row', () => {
    for (const row of PUBLISHED_DRIVE_RESULTS) {
      if (row.comparableWithOurs) {
        expect(row.protocol.region).toBe('fov');
        expect(row.protocol.aggregation).toBe('pooled');
        expect(row.protocol.threshold).toMatch(/^0\.5/);
      }
      if (row.protocol.region === 'whole-image') {
        expect(row.comparableWithOurs).toBe(false);
        expect(row.method).toMatch(/whole image/);
      }
    }
    expect(PUBLISHED_DRIVE_RESULTS.find((r) => r.id === 'sa-unet')?.protocol.region).toBe(
      'whole-image',
    );
  });

  it('agree with the confusion counts their sources released (FOV: 4,538,143 pixels)', () => {
    const withCounts = PUBLISHED_DRIVE_RESULTS.filter((r) => r.counts);
    expect(withCounts.map((r) => r.id)).toEqual(['orobix-retina-unet', 'laddernet']);
    for (const row of withCounts) {
      const { tp, fp, fn, tn } = row.counts!;
      expect(tp + fp + fn + tn).toBe(4_538_143);
      // Four decimals, rounded or truncated as the source printed them: within 1e-4.
      const agrees = (exact: number, published: number | undefined) =>
        expect(Math.abs(exact - published!)).toBeLessThan(1e-4);
      agrees(tp / (tp + fn), row.values.recall);
      agrees(tn / (tn + fp), row.values.specificity);
      agrees((tp + tn) / (tp + fp + fn + tn), row.values.accuracy);
      agrees((2 * tp) / (2 * tp + fp + fn), row.values.f1);
      agrees(tp / (tp + fp), row.values.precision);
    }
  });

  it('carry the U-Net paper claims with their verification', () => {
    expect(UNET_PAPER_CLAIMS.map((c) => c.id)).toEqual([
      'isbi2012-warping',
      'isbi2015-phc-u373',
      'isbi2015-dic-hela',
      'speed',
    ]);
    expect(UNET_PAPER_CLAIMS.find((c) => c.id === 'speed')?.verification.status).toBe('confirmed');
  });
});
