/**
 * Run-length form of a 0/1 mask for the contract: alternating run lengths in row-major order,
 * starting with a run of zeros (possibly empty). A DRIVE label becomes a few thousand numbers,
 * and decoding needs no image decoder, so an image switch does not wait on PNG decoding.
 */

/** Encodes a mask (any non-zero value is 1) as alternating run lengths, zeros first. */
export function encodeMaskRuns(mask: ArrayLike<number>): Uint32Array {
  const runs: number[] = [];
  let current = 0;
  let length = 0;
  for (let i = 0; i < mask.length; i++) {
    const v = mask[i]! > 0 ? 1 : 0;
    if (v === current) {
      length++;
    } else {
      runs.push(length);
      current = v;
      length = 1;
    }
  }
  runs.push(length);
  return Uint32Array.from(runs);
}

/** Decodes run lengths into a 0/1 mask of `size` pixels; throws when they do not add up. */
export function decodeMaskRuns(runs: ArrayLike<number>, size: number): Uint8Array {
  const mask = new Uint8Array(size);
  let at = 0;
  for (let k = 0; k < runs.length; k++) {
    const length = runs[k]!;
    if (at + length > size) break;
    if (k % 2 === 1) mask.fill(1, at, at + length);
    at += length;
  }
  let total = 0;
  for (let k = 0; k < runs.length; k++) total += runs[k]!;
  if (total !== size) {
    throw new Error(`Mask runs cover ${total} pixels, expected ${size}`);
  }
  return mask;
}
