import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import type { ModelMeta } from '../../../shared/model-config';
import { averageModels } from './average';
import { MODEL_FILES, readModelFolder, readModelMeta } from './files';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-average-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SPECS = [
  { name: 'conv/kernel', shape: [2, 3], dtype: 'float32' },
  { name: 'conv/bias', shape: [4], dtype: 'float32' },
];
const TOPOLOGY = { class_name: 'Model', config: { name: 'tiny', layers: [] } };

/** The bundled model's description, which every test model shares unless a test changes it. */
async function bundledMeta(): Promise<ModelMeta> {
  return readModelMeta(path.resolve('resources/models/default'));
}

interface FakeModel {
  weights: number[];
  meta?: (meta: ModelMeta) => ModelMeta;
  specs?: typeof SPECS;
  topology?: object;
}

/** Writes a model folder holding `weights` (10 float32 values) under the test's folder. */
async function writeModel(name: string, model: FakeModel): Promise<string> {
  const target = path.join(dir, name);
  await mkdir(target, { recursive: true });
  const base = await bundledMeta();
  const meta = model.meta ? model.meta(base) : base;
  const json = {
    modelTopology: model.topology ?? TOPOLOGY,
    weightsManifest: [{ paths: [MODEL_FILES.weights], weights: model.specs ?? SPECS }],
    format: 'layers-model',
  };
  await writeFile(path.join(target, MODEL_FILES.topology), JSON.stringify(json));
  await writeFile(
    path.join(target, MODEL_FILES.weights),
    new Uint8Array(new Float32Array(model.weights).buffer),
  );
  await writeFile(path.join(target, MODEL_FILES.meta), JSON.stringify(meta));
  return target;
}

const range = (offset: number) => Array.from({ length: 10 }, (_, i) => i * 0.5 + offset);

async function weightsOf(modelDir: string): Promise<Float32Array> {
  return new Float32Array((await readModelFolder(modelDir)).weightData);
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return { code: (error as AppError).code, message: (error as AppError).message };
}

describe('averageModels', () => {
  it('writes the element-wise mean of the weights, with the first model topology and manifest', async () => {
    const a = await writeModel('a', { weights: range(0) });
    const b = await writeModel('b', { weights: range(1) });
    const c = await writeModel('c', { weights: range(-4) });
    const out = path.join(dir, 'abc');
    const result = await averageModels([a, b, c], out);
    const mean = await weightsOf(out);
    const expected = range(-1); // (0 + 1 - 4) / 3 = -1 more than the first at every index.
    expect(Array.from(mean)).toEqual(expected.map((v) => Math.fround(v)));
    const folder = await readModelFolder(out);
    expect(folder.specs).toEqual(SPECS);
    expect(folder.json.modelTopology).toEqual(TOPOLOGY);
    expect(result.outDir).toBe(path.resolve(out));
  });

  it('gives back the same weights, byte for byte, when a model is averaged with itself', async () => {
    const weights = [0.1, -0.2, 0.3, 1e-8, 7, 0.7, -3.5, 1 / 3, 2 / 3, 100.25];
    const a = await writeModel('same-1', { weights });
    const b = await writeModel('same-2', { weights });
    const out = path.join(dir, 'same');
    await averageModels([a, b], out);
    expect(await readFile(path.join(out, MODEL_FILES.weights))).toEqual(
      await readFile(path.join(a, MODEL_FILES.weights)),
    );
  });

  it('records every source with the SHA-256 of its weights and its epoch, keeps the last record and log, and drops the name and test figures', async () => {
    const withEpoch = (epoch: number) => (meta: ModelMeta) => ({
      ...meta,
      name: `epoch ${epoch}`,
      trainingLog: meta.trainingLog.slice(0, epoch),
      figures: { testAuc: 0.9 },
      training: { ...meta.training, epoch },
    });
    const a = await writeModel('e3', { weights: range(0), meta: withEpoch(3) });
    const b = await writeModel('e4', { weights: range(2), meta: withEpoch(4) });
    const out = path.join(dir, 'e34');
    const result = await averageModels([a, b], out);
    const meta = await readModelMeta(out);
    const sha = async (d: string) =>
      createHash('sha256')
        .update(await readFile(path.join(d, MODEL_FILES.weights)))
        .digest('hex');
    const sources = [
      { dir: a, weightsSha256: await sha(a), epoch: 3 },
      { dir: b, weightsSha256: await sha(b), epoch: 4 },
    ];
    expect(result.sources).toEqual(sources);
    expect(meta.training?.averagedFrom).toEqual(sources);
    expect(meta.figures).toEqual({});
    expect(meta.name).toBeUndefined();
    expect(meta.training?.epoch).toBe(4);
    expect(meta.trainingLog).toHaveLength(4);
    const base = await bundledMeta();
    expect(meta.config).toEqual(base.config);
    expect(meta.trainingScale).toEqual(base.trainingScale);
    expect(meta.parameterCount).toBe(base.parameterCount);
  });

  it('takes a best epoch where no kept epoch is recorded, and none where neither is', async () => {
    const best = await writeModel('best', {
      weights: range(0),
      meta: (m) => ({ ...m, training: { bestEpoch: 24 } }),
    });
    const none = await writeModel('none', {
      weights: range(0),
      meta: (m) => {
        const { training: _dropped, ...rest } = m;
        return rest;
      },
    });
    const result = await averageModels([best, none], path.join(dir, 'best-none'));
    expect(result.sources.map((s) => s.epoch)).toEqual([24, null]);
  });

  it('replaces an earlier model in the output folder', async () => {
    const a = await writeModel('r1', { weights: range(0) });
    const b = await writeModel('r2', { weights: range(2) });
    const out = path.join(dir, 'replaced');
    await averageModels([a, a], out);
    await averageModels([a, b], out);
    expect(Array.from(await weightsOf(out))).toEqual(range(1).map((v) => Math.fround(v)));
  });

  it('refuses fewer than two models, naming how many it got', async () => {
    const a = await writeModel('only', { weights: range(0) });
    const { code, message } = await codeOf(averageModels([a], path.join(dir, 'x')));
    expect(code).toBe('MODEL_MISMATCH');
    expect(message).toMatch(/at least two model folders; got 1/);
  });

  it('refuses models of different configs, layers or weights, naming the two folders and what differs', async () => {
    const a = await writeModel('m-a', { weights: range(0) });
    const other = await writeModel('m-config', {
      weights: range(0),
      meta: (m) => ({ ...m, config: { ...m.config, blockDropout: 0.1 } }),
    });
    const layers = await writeModel('m-layers', {
      weights: range(0),
      topology: { ...TOPOLOGY, config: { name: 'other', layers: [] } },
    });
    const shapes = await writeModel('m-shapes', {
      weights: range(0),
      specs: [
        { name: 'conv/kernel', shape: [3, 2], dtype: 'float32' },
        { name: 'conv/bias', shape: [4], dtype: 'float32' },
      ],
    });
    const scale = await writeModel('m-scale', {
      weights: range(0),
      meta: (m) => ({ ...m, trainingScale: { ...m.trainingScale!, fovDiameter: 999 } }),
    });
    const cases: [string, RegExp][] = [
      [other, /differ in their config/],
      [layers, /differ in their layers/],
      [shapes, /differ in their weights/],
      [scale, /differ in their training scale/],
    ];
    for (const [dirB, what] of cases) {
      const { code, message } = await codeOf(averageModels([a, dirB], path.join(dir, 'x')));
      expect(code).toBe('MODEL_MISMATCH');
      expect(message).toMatch(what);
      expect(message).toContain(dirB);
      expect(message).toMatch(/Only models of one network/);
    }
  });

  it('refuses batch-normalised networks and weights that are not float32', async () => {
    const bn = (m: ModelMeta) => ({ ...m, config: { ...m.config, batchNorm: true } }) as ModelMeta;
    const a = await writeModel('bn-a', { weights: range(0), meta: bn });
    const b = await writeModel('bn-b', { weights: range(1), meta: bn });
    const refused = await codeOf(averageModels([a, b], path.join(dir, 'x')));
    expect(refused.code).toBe('MODEL_MISMATCH');
    expect(refused.message).toMatch(/batch normalisation/);

    const halfSpecs = [
      { name: 'conv/kernel', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'conv/bias', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } },
    ];
    const h1 = await writeModel('half-1', { weights: range(0).slice(0, 5), specs: halfSpecs });
    const h2 = await writeModel('half-2', { weights: range(0).slice(0, 5), specs: halfSpecs });
    const half = await codeOf(averageModels([h1, h2], path.join(dir, 'x')));
    expect(half.code).toBe('MODEL_MISMATCH');
    expect(half.message).toMatch(/conv\/kernel is stored as float16, not float32/);
  });

  it('refuses an output folder that is a source or holds other files, writing nothing', async () => {
    const a = await writeModel('o-a', { weights: range(0) });
    const b = await writeModel('o-b', { weights: range(1) });
    const intoSource = await codeOf(averageModels([a, b], b));
    expect(intoSource.code).toBe('MODEL_DIR_NOT_EMPTY');
    expect(intoSource.message).toMatch(/also one of the models to average/);
    expect(Array.from(await weightsOf(b))).toEqual(range(1).map((v) => Math.fround(v)));

    const busy = path.join(dir, 'busy');
    await mkdir(busy);
    await writeFile(path.join(busy, 'notes.txt'), 'mine');
    const refused = await codeOf(averageModels([a, b], busy));
    expect(refused.code).toBe('MODEL_DIR_NOT_EMPTY');
    expect(await readFile(path.join(busy, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('names a missing or damaged source as loading it would', async () => {
    const a = await writeModel('d-a', { weights: range(0) });
    const missing = await codeOf(
      averageModels([a, path.join(dir, 'nowhere')], path.join(dir, 'x')),
    );
    expect(missing.code).toBe('MODEL_NOT_FOUND');
    const short = await writeModel('d-short', { weights: range(0).slice(0, 7) });
    const damaged = await codeOf(averageModels([a, short], path.join(dir, 'x')));
    expect(damaged.code).toBe('MODEL_CORRUPT');
    expect(damaged.message).toMatch(/holds 28 bytes, the manifest needs 40/);
  });
});
