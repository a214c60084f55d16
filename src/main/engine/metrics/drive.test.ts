/**
 * The metrics on the real DRIVE test set, where the figures are known: the FOV size and the
 * second observer against the first (REFERENCES.md, "Second observer"). Skips without DRIVE.
 */
import { describe, expect, it } from 'vitest';
import type { ScoredImage } from './confusion';
import { evaluateImages } from './evaluate';
import { loadFov, loadLabel, openDataset } from '../dataset';
import { driveRoot, drivePresent } from '../../../../test/support/drive';

const present = drivePresent('the DRIVE metrics tests', 'test/2nd_manual');

async function secondObserverImages(withFov: boolean): Promise<ScoredImage[]> {
  const index = await openDataset(driveRoot());
  return Promise.all(
    (index.splits.test ?? []).map(async (entry) => {
      const [first, second, fov] = await Promise.all([
        loadLabel(entry, '1st'),
        loadLabel(entry, '2nd'),
        loadFov(entry),
      ]);
      return {
        id: entry.id,
        scores: Float32Array.from(second),
        label: first,
        region: withFov ? fov : null,
      };
    }),
  );
}

describe.skipIf(!present)('DRIVE test set', () => {
  it('has 4,538,143 FOV pixels and the published second-observer figures', async () => {
    const images = await secondObserverImages(true);
    const evaluation = evaluateImages(images, {
      region: 'fov',
      scoreKind: 'binary',
      thresholds: [{ value: 0.5, chosenOn: 'fixed' }],
    });
    expect(evaluation.pixelCount).toBe(4_538_143);
    const pooled = evaluation.pooled.atThresholds[0].metrics;
    expect(pooled.recall!.toFixed(4)).toBe('0.7746');
    expect(pooled.specificity!.toFixed(4)).toBe('0.9725');
    expect(pooled.accuracy!.toFixed(4)).toBe('0.9473');
    expect(pooled.f1!.toFixed(4)).toBe('0.7891');
    expect(pooled.precision!.toFixed(4)).toBe('0.8040');
    expect(evaluation.perImage.atThresholds[0].metrics.recall.mean!.toFixed(4)).toBe('0.7760');
    expect(evaluation.pooled.auc).toBeNull();

    // The whole image adds about two million easy negatives: accuracy rises to 0.9637.
    const whole = evaluateImages(await secondObserverImages(false), {
      region: 'whole-image',
      scoreKind: 'binary',
      thresholds: [{ value: 0.5, chosenOn: 'fixed' }],
    });
    expect(whole.pixelCount).toBe(20 * 565 * 584);
    expect(whole.pooled.atThresholds[0].metrics.accuracy!.toFixed(4)).toBe('0.9637');
  });
});
