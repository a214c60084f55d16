/**
 * Test support for the convolution-gradient tests (wasm against cpu beside this file, webgpu
 * against cpu in ../webgpu): the shape of one random case.
 */

/** tfjs's padding of a Conv2D: a named mode or explicit NHWC rows and columns. */
export type Pad = 'same' | 'valid' | [[0, 0], [number, number], [number, number], [0, 0]];

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
