/**
 * The error scale of our Winograd F(2x2, 3x3) convolution, for tests that compare it with
 * tfjs's cpu backend (see winograd.test.ts for the derivation): Y = A^T [sum_c (G g G^T) (.)
 * (B^T d B)] A is within gamma_(C+12) * W of the exact value, with
 * W = |A^T| [sum_c (|G||g||G^T|) (.) (|B^T||d||B|)] |A|, computed here in float64.
 */

/** A stride-1 3x3 NHWC convolution: batch, input rows and columns, channels in and out. */
export interface ConvSizes {
  n: number;
  h: number;
  w: number;
  c: number;
  k: number;
}

const ABS_BT = [
  [1, 0, 1, 0],
  [0, 1, 1, 0],
  [0, 1, 1, 0],
  [0, 1, 0, 1],
];
const ABS_G = [
  [1, 0, 0],
  [0.5, 0.5, 0.5],
  [0.5, 0.5, 0.5],
  [0, 0, 1],
];
const ABS_AT = [
  [1, 1, 1, 0],
  [0, 1, 1, 1],
];

/** P Q R for small dense matrices. */
function sandwich(p: number[][], q: number[][], r: number[][]): number[][] {
  const pq = p.map((row) => q[0]!.map((_, j) => row.reduce((s, v, i) => s + v * q[i]![j]!, 0)));
  return pq.map((row) => r[0]!.map((_, j) => row.reduce((s, v, i) => s + v * r[i]![j]!, 0)));
}
const transpose = (m: number[][]) => m[0]!.map((_, j) => m.map((row) => row[j]!));

/** W, the Winograd error scale of every output (float64), for input and filter values given. */
export function winogradScale(
  x: Float32Array,
  wt: Float32Array,
  { n, h, w, c, k }: ConvSizes,
  padTop: number,
  padLeft: number,
  oh: number,
  ow: number,
): Float64Array {
  const out = new Float64Array(n * oh * ow * k);
  const gt: number[][][][] = []; // [c][k] -> |G||g||G^T|
  for (let ci = 0; ci < c; ci++) {
    gt.push([]);
    for (let ko = 0; ko < k; ko++) {
      const g = [0, 1, 2].map((i) =>
        [0, 1, 2].map((j) => Math.abs(wt[((i * 3 + j) * c + ci) * k + ko]!)),
      );
      gt[ci]!.push(sandwich(ABS_G, g, transpose(ABS_G)));
    }
  }
  for (let b = 0; b < n; b++)
    for (let r0 = 0; r0 < oh; r0 += 2)
      for (let s0 = 0; s0 < ow; s0 += 2) {
        const vt: number[][][] = [];
        for (let ci = 0; ci < c; ci++) {
          const d = [0, 1, 2, 3].map((a) =>
            [0, 1, 2, 3].map((e) => {
              const row = r0 - padTop + a;
              const col = s0 - padLeft + e;
              if (row < 0 || row >= h || col < 0 || col >= w) return 0;
              return Math.abs(x[((b * h + row) * w + col) * c + ci]!);
            }),
          );
          vt.push(sandwich(ABS_BT, d, transpose(ABS_BT)));
        }
        for (let ko = 0; ko < k; ko++) {
          const m = [0, 1, 2, 3].map((a) =>
            [0, 1, 2, 3].map((e) => {
              let sum = 0;
              for (let ci = 0; ci < c; ci++) sum += gt[ci]![ko]![a]![e]! * vt[ci]![a]![e]!;
              return sum;
            }),
          );
          const y = sandwich(ABS_AT, m, transpose(ABS_AT));
          for (let a = 0; a < 2 && r0 + a < oh; a++)
            for (let e = 0; e < 2 && s0 + e < ow; e++)
              out[((b * oh + r0 + a) * ow + s0 + e) * k + ko] = y[a]![e]!;
        }
      }
  return out;
}
