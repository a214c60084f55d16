import { describe, expect, it } from 'vitest';
import type { ScoredImage } from './confusion';
import { precisionRecallCurve, rocCurve } from './curves';
import { walkPooledRanking } from './pooled-ranking';
import {
  areaUnderRoc,
  averagePrecision,
  countsAtThreshold,
  groupSortedKeys,
  sortImagePixels,
} from './ranking';
import { seededRandom } from '../../../../test/support/seeded-random';

/** Images with many ties (few levels), runs of one label, and a top group without positives. */
function images(seed: number, levels: number): ScoredImage[] {
  const random = seededRandom(seed);
  return Array.from({ length: 3 }, (_, n) => {
    const size = 3000 + 500 * n;
    const label = Uint8Array.from({ length: size }, (_, i) =>
      (i >> 6) % 3 === 0 ? 1 : random() < 0.1 ? 1 : 0,
    );
    const scores = Float32Array.from(label, (l, i) =>
      i === 0 ? 1 : Math.min(0.999, Math.round((random() * 0.7 + l * 0.3) * levels) / levels),
    );
    label[0] = 0;
    return { id: `r${n}`, scores, label, region: null };
  });
}

describe('walkPooledRanking', () => {
  it('equals the grouped ranking: AUC, AP, counts and both lossless curves, point for point', () => {
    for (const levels of [4, 50, 100000]) {
      const set = images(levels, levels);
      const sorted = sortImagePixels(set);
      const thresholds = [0.5, 0, 1, 0.25];
      const walk = walkPooledRanking(sorted.keys, thresholds);
      const ranked = groupSortedKeys(sorted.keys);
      expect(walk.positives).toBe(ranked.positives);
      expect(walk.auc).toBeCloseTo(areaUnderRoc(ranked)!, 13);
      expect(walk.ap).toBeCloseTo(averagePrecision(ranked)!, 13);
      thresholds.forEach((t, k) => expect(walk.counts[k]).toEqual(countsAtThreshold(ranked, t)));
      for (const [mine, theirs] of [
        [walk.roc, rocCurve(ranked, { lossless: true })],
        [walk.pr, precisionRecallCurve(ranked, { lossless: true })],
      ] as const) {
        expect(Array.from(mine.x)).toEqual(Array.from(theirs.x));
        expect(Array.from(mine.y)).toEqual(Array.from(theirs.y));
        expect(Array.from(mine.thresholds)).toEqual(Array.from(theirs.thresholds));
        expect(mine.fullPointCount).toBe(theirs.fullPointCount);
      }
      // The lossless ROC curve really is smaller than one point per distinct score.
      if (levels === 100000) expect(walk.roc.x.length).toBeLessThan(walk.roc.fullPointCount);
    }
  });

  it('handles sets with no positive, no negative, or one pixel', () => {
    for (const labels of [[0, 0, 0], [1, 1], [1]]) {
      const image: ScoredImage = {
        id: 'edge',
        scores: Float32Array.from(labels, (_, i) => 0.2 + 0.3 * (i % 2)),
        label: Uint8Array.from(labels),
        region: null,
      };
      const sorted = sortImagePixels([image]);
      const walk = walkPooledRanking(sorted.keys, [0.5]);
      const ranked = groupSortedKeys(sorted.keys);
      expect(walk.auc).toBeNull();
      expect(walk.counts[0]).toEqual(countsAtThreshold(ranked, 0.5));
      expect(Array.from(walk.roc.x)).toEqual(Array.from(rocCurve(ranked, { lossless: true }).x));
      expect(Array.from(walk.pr.y)).toEqual(
        Array.from(precisionRecallCurve(ranked, { lossless: true }).y),
      );
    }
  });
});
