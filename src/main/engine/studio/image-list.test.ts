import { describe, expect, it } from 'vitest';
import type { OpenedStudio } from './open';
import { Corrections } from './corrections';
import { ImageList } from './image-list';
import { ImageServing } from './image-serving';
import { maskPng } from './png';
import { PredictionServing } from './predictions';
import { useStudioScratch } from '../../../../test/support/studio-test-setup';

const scratch = useStudioScratch('studio-list');

/** The image list and the modules it reads, over an opened project. */
function listOf(opened: OpenedStudio) {
  const images = new ImageServing(opened.dataset);
  const predictions = new PredictionServing(opened.project, images, opened);
  const corrections = new Corrections(opened.project, images);
  const list = new ImageList(opened.project, images, predictions, corrections);
  return { images, predictions, corrections, list };
}

describe('ImageList', () => {
  it('lists every image in dataset order without figures when there is no model', async () => {
    const { images, list } = listOf(await scratch.open('no-model'));
    const listed = await list.list();
    expect(listed.orderNote).toBe('No model yet: images in dataset order.');
    expect(listed.images.map((i) => i.id)).toEqual([...images.all()].map((e) => e.id));
    expect(listed.images.map((i) => i.correctNextRank)).toEqual([0, 1, 2, 3]);
    const test = listed.images.find((i) => i.id === 'test/01_test');
    expect(test).toMatchObject({ split: 'test', name: '01_test', width: 64, height: 48 });
    expect(test).toMatchObject({
      observers: ['1st', '2nd'],
      corrected: false,
      latestRevisionId: null,
    });
    expect(test).toMatchObject({ f1: null, auc: null, uncertainty: null, disagreement: null });
    const training = listed.images.find((i) => i.id === 'training/21_training');
    expect(training?.observers).toEqual(['1st']);
  });

  it('measures an image again against its new revision, and keeps other figures until told to forget', async () => {
    const opened = await scratch.openWithTinyModel('figures');
    const { corrections, predictions, list } = listOf(opened);
    const id = 'test/01_test';
    const before = await list.list();
    expect(before.orderNote).toMatch(/model "tiny-green" first/);
    const row = () => list.list().then((l) => l.images.find((i) => i.id === id)!);
    expect((await row()).f1).toBeGreaterThan(0.9);
    // Nothing painted: every vessel the model sees is a disagreement.
    const empty = await corrections.saveMask(
      id,
      await maskPng(new Uint8Array(64 * 48), 64, 48),
      null,
      '',
    );
    const corrected = await row();
    expect(corrected).toMatchObject({
      corrected: true,
      latestRevisionId: empty.id,
      f1: 0,
      disagreement: 1,
    });
    expect(corrected.correctNextRank).toBe(0);
    // New predictions are not seen until the figures are forgotten.
    const other = 'test/02_test';
    const probabilities = new Float32Array(64 * 48).fill(0.5);
    await opened.project.putPrediction(opened.modelId, other, {
      width: 64,
      height: 48,
      probabilities,
    });
    const uncertainty = async () =>
      (await list.list()).images.find((i) => i.id === other)!.uncertainty;
    expect(await uncertainty()).toBeLessThan(0.5);
    // Both layers hold on: the probabilities (the predictions') and the figures (the list's).
    predictions.forget();
    expect(await uncertainty()).toBeLessThan(0.5);
    list.forget();
    expect(await uncertainty()).toBeCloseTo(1, 2);
  });

  it("scores each image's uncertainty at the threshold asked for; images without a prediction get none", async () => {
    const opened = await scratch.openWithTinyModel('scores');
    const { list, predictions } = listOf(opened);
    const scores = async (threshold?: number) =>
      new Map((await list.list(threshold)).images.map((i) => [i.id, i.uncertaintyScore]));
    const tiny = await scores();
    for (const score of tiny.values()) expect(score).toBeGreaterThanOrEqual(0);
    // One image predicted as 0.3 everywhere: most uncertain at threshold 0.3, less at 0.7.
    const flat = 'test/02_test';
    await opened.project.putPrediction(opened.modelId, flat, {
      width: 64,
      height: 48,
      probabilities: new Float32Array(64 * 48).fill(0.3),
    });
    predictions.forget();
    list.forget();
    expect((await scores(0.3)).get(flat)).toBeCloseTo(1, 2);
    expect((await scores(0.7)).get(flat)).toBeCloseTo(0.43, 2);
    const others = [...(await scores(0.3))].filter(([id]) => id !== flat);
    for (const [, score] of others) expect(score).toBeLessThan(0.9);

    const { list: noModel } = listOf(await scratch.open('scores-none'));
    for (const image of (await noModel.list(0.5)).images) expect(image.uncertaintyScore).toBeNull();
  });
});
