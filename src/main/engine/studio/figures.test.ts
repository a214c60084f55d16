import { describe, expect, it } from 'vitest';
import { correctNextOrder, imageFigures } from './figures';

describe('imageFigures', () => {
  it('scores a perfect, sure prediction as F1 1, AUC 1, no uncertainty', () => {
    const mask = new Uint8Array([1, 0, 1, 0]);
    const fov = new Uint8Array([1, 1, 1, 1]);
    const f = imageFigures('a', new Float32Array([1, 0, 1, 0]), mask, fov);
    expect(f).toEqual({ f1: 1, auc: 1, uncertainty: 0, disagreement: 0 });
  });

  it('counts only pixels inside the FOV', () => {
    const mask = new Uint8Array([1, 0, 1, 0]);
    const fov = new Uint8Array([1, 1, 0, 0]);
    const f = imageFigures('a', new Float32Array([0.9, 0.2, 0.5, 0.5]), mask, fov);
    expect(f.f1).toBe(1);
    expect(f.uncertainty).toBeCloseTo((0.2 + 0.4) / 2, 6);
  });

  it('gives 1 - F1 as disagreement', () => {
    const mask = new Uint8Array([1, 1, 0, 0]);
    const fov = new Uint8Array([1, 1, 1, 1]);
    const f = imageFigures('a', new Float32Array([0.9, 0.1, 0.8, 0.1]), mask, fov);
    expect(f.f1).toBeCloseTo(0.5, 6);
    expect(f.disagreement).toBeCloseTo(0.5, 6);
    // Pairs (positive above negative): 0.9>0.8, 0.9>0.1, 0.1<0.8, 0.1=0.1 (a tie counts half).
    expect(f.auc).toBeCloseTo(2.5 / 4, 6);
  });
});

describe('correctNextOrder', () => {
  it('puts unsure, disagreeing images first and images without figures last', () => {
    const fig = (u: number, d: number) => ({
      f1: 1 - d,
      auc: 0.9,
      uncertainty: u,
      disagreement: d,
    });
    const order = correctNextOrder([
      { id: 'none', figures: null },
      { id: 'easy', figures: fig(0.05, 0.1) },
      { id: 'hard', figures: fig(0.3, 0.4) },
    ]);
    expect([...order.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id)).toEqual([
      'hard',
      'easy',
      'none',
    ]);
  });
});
