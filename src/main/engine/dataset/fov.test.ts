import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../test/support/seeded-random';
import { deriveFovWithDetails, describeFovDerivation, FOV_DERIVATION, otsuThreshold } from './fov';
import type { RgbImage } from './types';

/**
 * A fundus whose brightness falls off towards the aperture's edge (vignetting): the centre is
 * bright, the outer ring only a few levels above a noisy black surround. Returns the image and
 * the true aperture (0/1), with the outer ring marked.
 */
function vignettedFundus(width: number, height: number, rimLevel: number, seed = 7) {
  const random = seededRandom(seed);
  const data = new Uint8Array(width * height * 3);
  const aperture = new Uint8Array(width * height);
  const ring = new Uint8Array(width * height);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const radius = Math.min(width, height) * 0.46;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const r = Math.hypot(x - cx, y - cy) / radius;
      let rgb: [number, number, number];
      if (r <= 1) {
        aperture[i] = 1;
        // Bright inside, falling steeply to the rim level over the outer fifth.
        const level = r < 0.8 ? 190 - 60 * r : rimLevel + (142 - rimLevel) * ((1 - r) / 0.2) ** 2;
        if (r >= 0.93) ring[i] = 1;
        // A dark vessel crossing the disc, so holes must be filled.
        const vessel = Math.abs(y - cy) < 2 && r < 0.7;
        const v = vessel ? level * 0.5 : level;
        rgb = [v, v * 0.55, v * 0.25];
      } else {
        // The black surround with sensor noise of up to 3 levels.
        const noise = Math.floor(random() * 4);
        rgb = [noise, noise, noise];
      }
      data.set(
        rgb.map((c) => Math.round(c)),
        3 * i,
      );
    }
  }
  const image: RgbImage = { width, height, data };
  return { image, aperture, ring };
}

function agreement(a: Uint8Array, b: Uint8Array): { kept: number; extra: number } {
  let inside = 0;
  let kept = 0;
  let extra = 0;
  for (let i = 0; i < a.length; i++) {
    if (b[i]) {
      inside++;
      if (a[i]) kept++;
    } else if (a[i]) extra++;
  }
  return { kept: kept / inside, extra: extra / a.length };
}

describe('deriveFov', () => {
  it('keeps a dim rim only a few levels above the black surround', () => {
    const rimLevel = 12;
    const { image, aperture, ring } = vignettedFundus(160, 140, rimLevel);
    // The old rule (half Otsu's level) would cut the ring: the test can fail.
    const histogram = new Float64Array(256);
    for (let i = 0; i < aperture.length; i++)
      histogram[Math.max(image.data[3 * i]!, image.data[3 * i + 1]!, image.data[3 * i + 2]!)]!++;
    const ringMax = Math.max(
      ...Array.from(ring.entries())
        .filter(([, v]) => v)
        .map(([i]) => image.data[3 * i]!),
    );
    expect(otsuThreshold(histogram) / 2).toBeGreaterThan(ringMax);

    const { mask, derivation } = deriveFovWithDetails(image);
    expect(derivation.method).toBe('surround-threshold');
    expect(derivation.surroundLevel).toBeLessThanOrEqual(3);
    expect(derivation.threshold).toBeLessThan(rimLevel);
    const all = agreement(mask, aperture);
    expect(all.kept).toBeGreaterThan(0.995);
    expect(all.extra).toBeLessThan(0.005);
    expect(agreement(mask, ring).kept).toBeGreaterThan(0.98);
  });

  it('measures the surround in the darkest corner, so retina or text in one corner does not raise it', () => {
    const { image, aperture } = vignettedFundus(120, 110, 14, 3);
    // Burnt-in white text in the top-left corner.
    for (let y = 0; y < 6; y++)
      for (let x = 0; x < 6; x++) image.data.fill(255, 3 * (y * 120 + x), 3 * (y * 120 + x) + 3);
    const { mask, derivation } = deriveFovWithDetails(image);
    expect(derivation.surroundLevel).toBeLessThanOrEqual(3);
    expect(agreement(mask, aperture).kept).toBeGreaterThan(0.99);
    // The text is a speck apart from the disc: the largest region leaves it out.
    expect(mask[0]).toBe(0);
  });

  it('takes the whole image when no corner is darker than the retina', () => {
    const width = 30;
    const height = 20;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) data.set([150 + (i % 40), 80, 40], 3 * i);
    const { mask, derivation } = deriveFovWithDetails({ width, height, data });
    expect(derivation.method).toBe('whole-image');
    expect(mask.every((v) => v === 1)).toBe(true);
  });

  it('names its method and every fixed parameter', () => {
    const text = describeFovDerivation();
    expect(text).toContain(`${FOV_DERIVATION.cornerPercentile}th percentile`);
    expect(text).toContain(`+ ${FOV_DERIVATION.margin}`);
    expect(text).toContain('5x5 opening');
  });
});
