/**
 * The bundled model's test-figures.json against a fresh evaluation of its weights on the 20
 * DRIVE test images (inside the FOV, pooled, 1st manual, threshold 0.5), so the file cannot
 * drift from the weights. Skips without DRIVE. About 3 minutes on this 2-core machine.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateDatasetSplit } from '../src/main/engine/metrics/dataset-evaluation';
import { openModelSource } from '../src/main/engine/metrics/probability-sources';
import type { PooledRow } from '../src/main/engine/metrics/report';
import { FIGURES_FILE, type DefaultModelFigures } from './default-model-figures';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const driveRoot = path.resolve(repoRoot, '../shared/datasets/DRIVE');
const modelDir = path.join(repoRoot, 'resources', 'models', 'default');
const present = existsSync(path.join(driveRoot, 'test', '1st_manual'));
if (!present)
  console.log(`skipping the bundled model's DRIVE figures test: ${driveRoot} is absent`);

describe.skipIf(!present)("the bundled model's DRIVE test figures", () => {
  it('equal a fresh evaluation of its weights to within 0.0005 (AUC and F1)', async () => {
    const stored = JSON.parse(
      await readFile(path.join(modelDir, FIGURES_FILE), 'utf8'),
    ) as DefaultModelFigures;
    // Both cores: the bundled model averages four flips per image (its vessel.json says so).
    const source = await openModelSource(modelDir, { wasmThreads: 2 });
    expect(source.flips).toBe(stored.protocol.flips);
    let row: PooledRow | undefined;
    try {
      const report = await evaluateDatasetSplit({
        root: driveRoot,
        split: 'test',
        reference: '1st',
        source,
        tuneOnTraining: false,
      });
      expect(report.imageCount).toBe(20);
      expect(report.fovPixelCount).toBe(stored.protocol.fovPixels);
      row = report.rows.find((r) => r.id === 'model/fov/t0.5/pooled') as PooledRow | undefined;
    } finally {
      source.dispose();
    }
    expect(row?.protocol.description).toBe(stored.protocol.description);
    console.log(
      `bundled model on DRIVE test: AUC ${row?.auc?.toFixed(4)}, F1 ${row?.f1?.toFixed(4)} (file: ${stored.figures.auc.toFixed(4)}, ${stored.figures.f1.toFixed(4)})`,
    );
    expect(Math.abs((row?.auc ?? NaN) - stored.figures.auc)).toBeLessThanOrEqual(0.0005);
    expect(Math.abs((row?.f1 ?? NaN) - stored.figures.f1)).toBeLessThanOrEqual(0.0005);
  }, 600_000);
});
