/** Reproducible float32 test data: xorshift32 uniform values in [low, high). */
export function seededUniform(count: number, seed: number, low = -0.5, high = 0.5): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = low + ((state >>> 0) / 2 ** 32) * (high - low);
  }
  return out;
}
