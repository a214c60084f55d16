import { describe, expect, it } from 'vitest';
import { countConfusion, type ScoredImage } from './confusion';
import {
  areaUnderRoc,
  averagePrecision,
  bestF1Threshold,
  countsAtThreshold,
  radixSortKeys,
  rankImages,
} from './ranking';

/** A small deterministic generator (mulberry32) so failures reproduce. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    const random = seeded(7);
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
    const random = seeded(11);
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
    const random = seeded(3);
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
    const expected = Array.from(keys).sort((a, b) => a - b);
    expect(Array.from(radixSortKeys(keys, new Uint32Array(keys.length)))).toEqual(expected);
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
