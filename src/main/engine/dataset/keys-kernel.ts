/**
 * Keys' cubic convolution kernel (Keys 1981, a = -0.5, the Catmull-Rom spline), the one kernel of
 * the augmentation's bicubic lookups (augment.ts) and the degradation's resampling (degrade.ts).
 */

/** Keys' cubic convolution weights (a = -0.5, Catmull-Rom) of the taps at -1, 0, 1, 2 for fraction t (t2 = t*t). */
export function keysWeight0(t: number, t2: number): number {
  return (-0.5 * t + 1) * t2 - 0.5 * t;
}
export function keysWeight1(t: number, t2: number): number {
  return (1.5 * t - 2.5) * t2 + 1;
}
export function keysWeight2(t: number, t2: number): number {
  return (-1.5 * t + 2) * t2 + 0.5 * t;
}
export function keysWeight3(t: number, t2: number): number {
  return (0.5 * t - 0.5) * t2;
}

/** The kernel at offset x: the tap weights above read at distance |x|. */
export function keys(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return keysWeight1(t, t * t);
  if (t < 2) return keysWeight0(t - 1, (t - 1) * (t - 1));
  return 0;
}
