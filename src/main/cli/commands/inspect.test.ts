import { mkdtemp, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDrive, writeStare } from '../../engine/dataset/synthetic-datasets';
import { runCliCaptured } from '../run-captured';
import { inspectCommand } from './inspect';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vessel-inspect-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function cli(...argv: string[]) {
  return runCliCaptured([inspectCommand], argv);
}

describe('inspect command', () => {
  it('reports layout, splits, label sets, FOV and vessel pixels, and problems as one JSON object', async () => {
    const root = path.join(tmp, 'DRIVE');
    const planted = await writeDrive(root);
    await unlink(path.join(root, 'training', 'mask', '22_training_mask.gif'));
    const { code, stdout } = await cli('inspect', root, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.layout).toBe('drive');
    const test = report.splits.find((s: { split: string }) => s.split === 'test');
    const fov = [...planted]
      .filter(([id]) => id.startsWith('test/'))
      .reduce((n, [, im]) => n + im.fov.reduce((a, b) => a + b, 0), 0);
    const vessels = [...planted]
      .filter(([id]) => id.startsWith('test/'))
      .reduce((n, [, im]) => n + im.label.reduce((a, v, i) => a + (v & im.fov[i]!), 0), 0);
    expect(test).toMatchObject({ images: 2, sizes: ['40x36'], fovPixels: fov, derivedFov: 0 });
    expect(test.labelSets).toEqual([
      { observer: '1st', images: 2 },
      { observer: '2nd', images: 2 },
    ]);
    expect(test.vesselPixelsInFov).toEqual({ '1st': vessels, '2nd': vessels });
    expect(test.fovPixelsLabelled).toEqual({ '1st': fov, '2nd': fov });
    const training = report.splits.find((s: { split: string }) => s.split === 'training');
    expect(training.derivedFov).toBe(1);
    expect(test.fovSource).toBe('shipped masks');
    expect(training.fovSource).toMatch(
      /^shipped masks for 1, derived for 1: brightest channel above the surround/,
    );
    expect(report.problems).toEqual([expect.objectContaining({ code: 'DATASET_MASK_MISSING' })]);

    const text = await cli('inspect', root);
    expect(text.stdout).toContain('layout: drive');
    expect(text.stdout).toContain('DATASET_MASK_MISSING');
    expect(text.stdout).toMatch(/FOV: [\d,]+ pixels; shipped masks\n/);
  });

  it('says a set without masks has its FOV derived, and how', async () => {
    const root = path.join(tmp, 'STARE');
    await writeStare(root, true, 2);
    const { code, stdout } = await cli('inspect', root);
    expect(code).toBe(0);
    expect(stdout).toContain('layout: stare');
    expect(stdout).toMatch(/all: 2 images/);
    expect(stdout).toMatch(
      /FOV: [\d,]+ pixels; derived: brightest channel above the surround .*99th percentile.* \+ 6/,
    );
  });

  it('exits 2 with the error code for a missing folder, and for no folder at all', async () => {
    const missing = path.join(tmp, 'nowhere');
    const { code, stdout } = await cli('inspect', missing, '--json');
    expect(code).toBe(2);
    expect(JSON.parse(stdout).error).toMatchObject({
      code: 'DATASET_FOLDER_MISSING',
      message: expect.stringContaining(missing),
    });
    expect((await cli('inspect')).code).toBe(2);
  });
});
