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

  it('says when the mean is over the eight flips and quarter turns, and never turns without flips', () => {
    const plain = describeProtocol(20);
    const turned = describeProtocol(20, '1st', true, true);
    expect(turned).toMatchObject({ flips: true, turns: true });
    expect(turned.description).toBe(
      `${plain.description}, each map the mean over eight flips and quarter turns`,
    );
    const noFlips = describeProtocol(20, '1st', false, true);
    expect(noFlips.turns).toBeUndefined();
    expect(noFlips.description).toBe(plain.description);
    expect(describeProtocol(20, '1st', true).turns).toBeUndefined();
  });
});
