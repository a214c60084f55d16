/**
 * The bundled model on the 20 DRIVE test images (inside the FOV, pooled, 1st manual, threshold
 * 0.5), evaluated afresh from its weights: it must reach the targets of issue 19 (AUC-ROC at
 * least 0.981, F1 at least 0.825), and test-figures.json must equal the fresh figures, so the file
 * cannot drift from the weights. Skips without DRIVE. About 3 minutes on this 2-core machine.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ComputeHost } from '../src/main/compute/host';
import { evaluateDatasetSplit } from '../src/main/engine/metrics/dataset-evaluation';
import { openModelSource } from '../src/main/engine/metrics/probability-sources';
import type { PooledRow } from '../src/main/engine/metrics/report';
import { FIGURES_FILE, type DefaultModelFigures } from './default-model-figures';
import { driveRoot, drivePresent, repoRoot } from '../test/support/drive';

const modelDir = path.join(repoRoot, 'resources', 'models', 'default');
const present = drivePresent("the bundled model's DRIVE figures test", 'test/1st_manual');

/** Issue 19's targets for the bundled model under that protocol (issue 5's were 0.980 and 0.820). */
const TARGET_AUC = 0.981;
const TARGET_F1 = 0.825;

describe.skipIf(!present)("the bundled model's DRIVE test figures", () => {
  let stored: DefaultModelFigures;
  let row: PooledRow;

  beforeAll(async () => {
    stored = JSON.parse(
      await readFile(path.join(modelDir, FIGURES_FILE), 'utf8'),
    ) as DefaultModelFigures;
    // In the compute process, as `eval` runs it: the bundled model averages four flips per
    // image (its vessel.json says so), on every core the wasm backend is given there.
    const host = new ComputeHost();
    try {
      const source = await openModelSource(host, modelDir, { root: driveRoot() });
      expect(source.flips).toBe(stored.protocol.flips);
      const report = await evaluateDatasetSplit({
        root: driveRoot(),
        split: 'test',
        reference: '1st',
        source,
        tuneOnTraining: false,
      });
      expect(report.imageCount).toBe(20);
      expect(report.fovPixelCount).toBe(stored.protocol.fovPixels);
      const found = report.rows.find((r) => r.id === 'model/fov/t0.5/pooled');
      if (found === undefined) throw new Error('the evaluation has no model/fov/t0.5/pooled row');
      row = found as PooledRow;
    } finally {
      await host.dispose();
    }
    console.log(
      `bundled model on DRIVE test: AUC ${row.auc?.toFixed(4)}, F1 ${row.f1?.toFixed(4)} (file: ${stored.figures.auc.toFixed(4)}, ${stored.figures.f1.toFixed(4)})`,
    );
  }, 600_000);

  it(`reach AUC-ROC ${TARGET_AUC.toFixed(3)} and F1 ${TARGET_F1.toFixed(3)} at least`, () => {
    expect(row.protocol.description).toBe(
      'inside the FOV, pooled over 20 images, 1st manual, threshold 0.5 (p >= t, fixed)',
    );
    expect(row.auc ?? NaN).toBeGreaterThanOrEqual(TARGET_AUC);
    expect(row.f1 ?? NaN).toBeGreaterThanOrEqual(TARGET_F1);
  });

  it('equal test-figures.json to within 0.0005 (AUC and F1)', () => {
    expect(row.protocol.description).toBe(stored.protocol.description);
    expect(Math.abs((row.auc ?? NaN) - stored.figures.auc)).toBeLessThanOrEqual(0.0005);
    expect(Math.abs((row.f1 ?? NaN) - stored.figures.f1)).toBeLessThanOrEqual(0.0005);
  });
});
