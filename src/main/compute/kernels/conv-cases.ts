/**
 * Test support for the convolution and pooling tests (wasm against cpu beside this file and in
 * ../winograd, webgpu against cpu in ../webgpu): the shape of one random case and its padding.
 */

/** Explicit NHWC padding: rows and columns padded as given, batch and channels never. */
export type ExplicitPad = [[0, 0], [number, number], [number, number], [0, 0]];

/** tfjs's padding of a Conv2D: a named mode or explicit NHWC rows and columns. */
export type Pad = 'same' | 'valid' | ExplicitPad;

/** The explicit padding `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
export function nhwcPad(top: number, bottom: number, left: number, right: number): ExplicitPad {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** One NHWC convolution: input batch x height x width x inChannels, filter to outChannels. */
export interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: [number, number];
  strides: [number, number];
  pad: Pad;
}

/** A case from its NHWC input shape, output channels, filter size, strides and padding. */
export function convCase(
  [batch, height, width, inChannels]: [number, number, number, number],
  outChannels: number,
  kernel: [number, number],
  strides: [number, number],
  pad: Pad,
): ConvCase {
  return { batch, height, width, inChannels, outChannels, kernel, strides, pad };
}
