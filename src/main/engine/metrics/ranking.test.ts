import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../test/support/seeded-random';
import { countConfusion, type ScoredImage } from './confusion';
import {
  areaUnderRoc,
  averagePrecision,
  bestF1Threshold,
  countsAtThreshold,
  groupSortedKeys,
  radixSortTaggedKeys,
  rankStatsByTag,
  sortImagePixels,
  rankImages,
} from './ranking';

const handCase: ScoredImage = {
  id: 'hand',
  scores: Float32Array.from([0.9, 0.8, 0.8, 0.3, 0.1, 0.6, 0.99, 0.01]),
  label: Uint8Array.from([1, 1, 0, 0, 0, 1, 0, 1]),
  region: Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 0]),
};

/** AUC as the share of (positive, negative) pairs ordered right, ties counting one half. */
function bruteForceAuc(scores: Float32Array, label: Uint8Array): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!label[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (label[j]) continue;
      pairs++;
      if (scores[i] > scores[j]) wins += 1;
      else if (scores[i] === scores[j]) wins += 0.5;
    }
  }
  return wins / pairs;
}

describe('ranking', () => {
  it('gives the hand-computed AUC, AP and best-F1 threshold', () => {
    const ranked = rankImages([handCase]);
    expect(ranked.positives).toBe(3);
    expect(ranked.negatives).toBe(3);
    // Pairs: 0.9 beats 3; 0.8 ties one and beats 2 (2.5); 0.6 beats 2: 7.5 of 9.
    expect(areaUnderRoc(ranked)).toBeCloseTo(7.5 / 9, 15);
    // (1 * 1 + 1 * 2/3 + 1 * 3/4) / 3
    expect(averagePrecision(ranked)).toBeCloseTo(29 / 36, 15);
    const best = bestF1Threshold(ranked)!;
    expect(best.threshold).toBe(Math.fround(0.6));
    expect(best.f1).toBeCloseTo(6 / 7, 15);
  });

  it('matches a brute-force pair count on random data with many ties', () => {
    const random = seededRandom(7);
    for (const levels of [3, 20, 1000]) {
      const n = 1500;
      const scores = new Float32Array(n);
      const label = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        label[i] = random() < 0.3 ? 1 : 0;
        // Positives score a little higher on average; few levels force many ties.
        scores[i] = Math.min(1, Math.floor((random() + label[i] * 0.3) * levels) / levels);
      }
      const ranked = rankImages([{ id: 'r', scores, label, region: null }]);
      expect(areaUnderRoc(ranked)).toBeCloseTo(bruteForceAuc(scores, label), 12);
    }
  });

  it('gives counts at any threshold equal to a direct count', () => {
    const random = seededRandom(11);
    const n = 5000;
    const image: ScoredImage = {
      id: 'r',
      scores: Float32Array.from({ length: n }, () => Math.round(random() * 50) / 50),
      label: Uint8Array.from({ length: n }, () => (random() < 0.2 ? 1 : 0)),
      region: Uint8Array.from({ length: n }, () => (random() < 0.7 ? 1 : 0)),
    };
    const ranked = rankImages([image]);
    for (const t of [0, 0.02, 0.5, 0.51, 0.999, 1, 1.5]) {
      expect(countsAtThreshold(ranked, t)).toEqual(countConfusion(image, t));
    }
  });

  it('sorts keys exactly, including subnormals, 0, -0 and 1', () => {
    const random = seededRandom(3);
    const values = [0, -0, 1, 1e-45, 1e-38, 0.5, Math.fround(0.5) + 2 ** -24, 0.9999999];
    const scores = Float32Array.from({ length: 3000 }, (_, i) =>
      i < values.length ? values[i] : random() ** 8,
    );
    const label = Uint8Array.from({ length: scores.length }, (_, i) => i % 2);
    const ranked = rankImages([{ id: 'k', scores, label, region: null }]);
    const distinct = [...new Set(Array.from(scores, (v) => (v === 0 ? 0 : v)))].sort(
      (a, b) => b - a,
    );
    expect(Array.from(ranked.scores)).toEqual(distinct);
    const keys = Uint32Array.from({ length: 4000 }, () => Math.floor(random() * 2 ** 31));
    const tags = Uint16Array.from(keys, (k) => k % 65521);
    const expected = Array.from(keys).sort((a, b) => a - b);
    const sorted = radixSortTaggedKeys(keys, tags, new Uint32Array(4000), new Uint16Array(4000));
    expect(Array.from(sorted.keys)).toEqual(expected);
    expect(Array.from(sorted.tags)).toEqual(expected.map((k) => k % 65521));
  });

  it('refuses probabilities outside [0, 1] and NaN, naming the image', () => {
    for (const bad of [NaN, -0.1, 1.0001]) {
      const image = {
        id: 'test/02_test',
        scores: Float32Array.from([0.2, bad]),
        label: new Uint8Array(2),
        region: null,
      };
      expect(() => rankImages([image])).toThrow(/test\/02_test: pixel 1/);
    }
  });

  it('gives null AUC without negatives and null AP without positives', () => {
    const scores = Float32Array.from([0.1, 0.7]);
    expect(
      areaUnderRoc(rankImages([{ id: 'p', scores, label: Uint8Array.from([1, 1]), region: null }])),
    ).toBeNull();
    expect(
      averagePrecision(
        rankImages([{ id: 'n', scores, label: Uint8Array.from([0, 0]), region: null }]),
      ),
    ).toBeNull();
  });
});

describe('one tagged pooled sort', () => {
  it('gives every image the AUC and AP of sorting it alone', () => {
    const random = seededRandom(21);
    const images: ScoredImage[] = Array.from({ length: 7 }, (_, n) => {
      const size = 800 + n * 97;
      const label = Uint8Array.from({ length: size }, () => (random() < 0.15 + n * 0.05 ? 1 : 0));
      // Image 3 has only ties: two levels, shared with other images.
      const scores = Float32Array.from(label, (l) =>
        n === 3 ? (random() < 0.5 ? 0.25 : 0.75) : Math.round((random() + l * 0.4) * 40) / 60,
      );
      return { id: `i${n}`, scores, label, region: null };
    });
    images.push({
      id: 'no-positives',
      scores: new Float32Array(50).fill(0.3),
      label: new Uint8Array(50),
      region: null,
    });
    const sorted = sortImagePixels(images);
    const thresholds = [0.5, 0, 1, 1.5, 0.25, 0.75, 40 / 60, -1];
    const byTag = rankStatsByTag(sorted.keys, sorted.tags, images.length, thresholds);
    images.forEach((image, i) => {
      const alone = rankImages([image]);
      if (areaUnderRoc(alone) === null) expect(byTag.auc[i]).toBeNull();
      else expect(byTag.auc[i]).toBeCloseTo(areaUnderRoc(alone)!, 13);
      if (averagePrecision(alone) === null) expect(byTag.ap[i]).toBeNull();
      else expect(byTag.ap[i]).toBeCloseTo(averagePrecision(alone)!, 13);
      // Counts read as the walk crosses each threshold, ties at the threshold included.
      thresholds.forEach((threshold, k) => {
        expect(byTag.counts[k][i]).toEqual(countConfusion(image, threshold));
      });
    });
    expect(byTag.auc.at(-1)).toBeNull();
    expect(groupSortedKeys(sorted.keys).positives).toBe(
      images.reduce((s, im) => s + im.label.reduce((a, b) => a + b, 0), 0),
    );
  });
});
