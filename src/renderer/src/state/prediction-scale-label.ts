/**
 * How the side panel says at which scale the shown prediction was made: scale-aware inference
 * resamples an image so its FOV matches the model's training images, and the factor used comes
 * with the prediction (null when the project cached it before factors were kept).
 */

/** "1.5", "0.75", "0.333": a factor with no trailing zeros, never rounded to a bare 1. */
function factorText(factor: number): string {
  const short = Number(factor.toFixed(2));
  return String(short === 1 && factor !== 1 ? Number(factor.toFixed(3)) : short);
}

/**
 * "predicted at 0.75x (FOV 720 px)", "predicted at the image's own scale", or null when the
 * scale is unknown (nothing is shown then).
 */
export function predictionScaleText(
  scale: number | null,
  fovDiameter: number | null,
): string | null {
  if (scale === null || !Number.isFinite(scale) || scale <= 0) return null;
  if (scale === 1) return "predicted at the image's own scale";
  const fov = fovDiameter !== null && fovDiameter > 0 ? ` (FOV ${Math.round(fovDiameter)} px)` : '';
  return `predicted at ${factorText(scale)}x${fov}`;
}
