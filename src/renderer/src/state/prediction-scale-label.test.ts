import { describe, expect, it } from 'vitest';
import { predictionScaleText } from './prediction-scale-label';

describe('predictionScaleText', () => {
  it('names the factor and the FOV it matched, or the image own scale', () => {
    expect(predictionScaleText(0.75, 720)).toBe('predicted at 0.75x (FOV 720 px)');
    expect(predictionScaleText(0.5, null)).toBe('predicted at 0.5x');
    expect(predictionScaleText(1.5, 0)).toBe('predicted at 1.5x');
    expect(predictionScaleText(540 / 720.4, 720.4)).toBe('predicted at 0.75x (FOV 720 px)');
    expect(predictionScaleText(1, 541)).toBe("predicted at the image's own scale");
    expect(predictionScaleText(1, null)).toBe("predicted at the image's own scale");
    // Close to 1 but resampled: not shown as a bare 1x.
    expect(predictionScaleText(0.998, 541)).toBe('predicted at 0.998x (FOV 541 px)');
  });

  it('says nothing when the scale is unknown', () => {
    expect(predictionScaleText(null, null)).toBeNull();
    expect(predictionScaleText(null, 540)).toBeNull();
    expect(predictionScaleText(Number.NaN, 540)).toBeNull();
  });
});
