import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDrive } from '../engine/dataset/synthetic-datasets';
import { buildModel, saveModelDir } from './model';
import { predictDataset, type PredictDatasetJob } from './predict-dataset';
import { setupCompute } from './setup';
import { smallGreenUnet } from './train/fixtures';

let tmp: string;
let root: string;
let plainModel: string;
let flipModel: string;

beforeAll(async () => {
  await setupCompute({ name: 'cpu', by: 'flag' });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vessel-predict-dataset-'));
  root = path.join(tmp, 'DRIVE');
  await writeDrive(root, { training: 1, test: 1 });
  const config = smallGreenUnet();
  plainModel = path.join(tmp, 'plain');
  const model = buildModel(config);
  await saveModelDir(plainModel, model, { config });
  // The same weights, with a config that asks for flip averaging.
  flipModel = path.join(tmp, 'flips');
  await saveModelDir(flipModel, model, { config: { ...config, inference: { flips: true } } });
  model.dispose();
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function run(job: Omit<PredictDatasetJob, 'root' | 'ids'>): Promise<Float32Array> {
  const [image] = await predictDataset(
    { ...job, root, ids: ['test/01_test'] },
    { signal: new AbortController().signal, progress: () => {}, log: () => {} },
  );
  return image!.probabilities;
}

describe('predictDataset', () => {
  it("follows the model's own flip setting unless the job says otherwise", async () => {
    const plain = await run({ modelDir: plainModel });
    const asked = await run({ modelDir: plainModel, flips: true });
    const byModel = await run({ modelDir: flipModel });
    const refused = await run({ modelDir: flipModel, flips: false });
    const gap = Math.max(...plain.map((p, i) => Math.abs(p - asked[i]!)));
    expect(gap).toBeGreaterThan(1e-4);
    expect(byModel).toEqual(asked);
    expect(refused).toEqual(plain);
  });
});
