/**
 * Test support for the Winograd tests (winograd.test.ts explains the bounds): the values of our
 * wasm kernels against the cpu backend's, element by element, within float32 error bounds.
 * Imports vitest, so tests only.
 */
import { expect } from 'vitest';
import { gamma } from '../webgpu/op-bounds';

/**
 * |wasm - cpu| <= the sum of the bounds, element by element; `bounds` are [scale, terms] pairs,
 * each allowing gamma_terms times its scale.
 */
export function expectWithin(
  wasm: Float32Array,
  cpu: Float32Array,
  bounds: [ArrayLike<number>, number][],
  label: string,
) {
  expect(wasm.length, label).toBe(cpu.length);
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) {
    const allowed = bounds.reduce((sum, [scale, terms]) => sum + gamma(terms) * scale[i]!, 1e-30);
    worst = Math.max(worst, Math.abs(wasm[i]! - cpu[i]!) / allowed);
  }
  expect(
    worst,
    `${label}: worst difference as a fraction of the float32 bound`,
  ).toBeLessThanOrEqual(1);
}

/**
 * A Winograd convolution with `inChannels` input channels against cpu's direct one: cpu's 9C
 * products times `direct` (the convolution of absolute values) plus Winograd's C + 12
 * roundings times `winograd` (its scale, winogradScale).
 */
export function expectWinogradConv(
  wasm: Float32Array,
  cpu: Float32Array,
  direct: ArrayLike<number>,
  winograd: ArrayLike<number>,
  inChannels: number,
  label: string,
) {
  expectWithin(
    wasm,
    cpu,
    [
      [direct, 9 * inChannels],
      [winograd, inChannels + 12],
    ],
    label,
  );
}
