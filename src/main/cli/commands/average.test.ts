import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupCompute } from '../../compute/setup';
import { smallGreenUnet } from '../../compute/train/fixtures';
import { buildModel, loadModelDir, saveModelDir } from '../../compute/model';
import { readModelFolder } from '../../engine/model/files';
import { expectRefusal, runCliCaptured } from '../run-captured';
import { averageCommand } from './average';

let tmp: string;
const models: string[] = [];
const config = smallGreenUnet();

beforeAll(async () => {
  await setupCompute({ name: 'cpu', by: 'flag' });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vessel-average-cli-'));
  // Three models of one network, each with its own random initial weights.
  for (const epoch of [1, 2, 3]) {
    const model = buildModel(config);
    const dir = path.join(tmp, `m${epoch}`);
    await saveModelDir(dir, model, { config, training: { epoch } });
    model.dispose();
    models.push(dir);
  }
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function cli(...argv: string[]) {
  return runCliCaptured([averageCommand], ['average', ...argv]);
}

describe('average', () => {
  it('writes the mean of the models, lists each with its epoch, and the result loads as a model', async () => {
    const out = path.join(tmp, 'mean');
    const run = await cli('--out', out, ...models);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote ${out}`);
    expect(run.stdout).toContain('the mean of 3 models');
    for (const [i, dir] of models.entries())
      expect(run.stdout).toContain(`${dir} (epoch ${i + 1})`);
    expect(run.stdout).toContain(`eval --data <folder> --model ${out}`);

    const weights = await Promise.all(
      models.map(async (d) => new Float32Array((await readModelFolder(d)).weightData)),
    );
    expect(weights[0]).not.toEqual(weights[1]);
    const mean = new Float32Array((await readModelFolder(out)).weightData);
    for (let i = 0; i < mean.length; i += 97) {
      expect(mean[i]).toBeCloseTo((weights[0]![i]! + weights[1]![i]! + weights[2]![i]!) / 3, 6);
    }
    const loaded = await loadModelDir(out);
    expect(loaded.config).toEqual(config);
    loaded.model.dispose();
  });

  it('prints the sources as JSON with --json', async () => {
    const out = path.join(tmp, 'mean-json');
    const run = await cli('--out', out, models[0]!, models[1]!, '--json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.outDir).toBe(out);
    expect(json.sources.map((s: { epoch: number }) => s.epoch)).toEqual([1, 2]);
    expect(json.sources[0].weightsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a missing --out or fewer than two models with exit code 2', async () => {
    const noOut = await cli(...models);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('missing --out');
    const one = await cli('--out', path.join(tmp, 'x'), models[0]!);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('at least two model folders');
  });

  it('refuses models of another network, naming both folders', async () => {
    const other = path.join(tmp, 'other');
    const otherConfig = { ...config, baseWidth: config.baseWidth * 2 };
    const model = buildModel(otherConfig);
    await saveModelDir(other, model, { config: otherConfig });
    model.dispose();
    const run = await cli('--out', path.join(tmp, 'x'), models[0]!, other, '--json');
    expectRefusal(run, 'MODEL_MISMATCH', [other, models[0]!, 'differ in their config']);
  });
});
