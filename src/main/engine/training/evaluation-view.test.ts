import { describe, expect, it } from 'vitest';
import { evaluateSplit } from '../metrics/split-evaluation';
import { describeProtocol, toEvaluationView } from './evaluation-view';

describe('evaluation view protocol', () => {
  it('says when the maps are the mean over the four flips, and only then', () => {
    const plain = describeProtocol(20);
    expect(plain.flips).toBeUndefined();
    expect(plain.description).toBe(
      'test split, inside the FOV, pooled over 20 images, 1st manual, threshold 0.5',
    );
    const flipped = describeProtocol(20, '1st', true);
    expect(flipped.flips).toBe(true);
    expect(flipped.description).toBe(`${plain.description}, each map the mean over four flips`);

    const image = {
      id: 'test/01_test',
      scores: Float32Array.from([0.9, 0.2, 0.7, 0.1]),
      label: Uint8Array.from([1, 0, 0, 0]),
      fov: Uint8Array.from([1, 1, 1, 1]),
    };
    const evaluation = evaluateSplit({
      images: [image],
      training: [],
      others: null,
      regions: 'fov',
    }).model.fov;
    const view = toEvaluationView(evaluation, 1, 'v1', '2026-11-27T00:00:00Z', true);
    expect(view.protocol).toEqual(describeProtocol(1, '1st', true));
    expect(toEvaluationView(evaluation, 1, 'v1', '2026-11-27T00:00:00Z').protocol.flips).toBe(
      undefined,
    );
  });
});
