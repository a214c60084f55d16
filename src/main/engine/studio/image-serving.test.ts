import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeMaskRuns } from '../../../shared/mask-runs';
import { loadFov, loadLabel, openDataset } from '../dataset';
import { ImageServing } from './image-serving';
import { decodeGrey, useStudioScratch } from '../../../../test/support/studio-test-setup';

const scratch = useStudioScratch('studio-images');

/** Lets the neighbour preparation scheduled by image() run. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('ImageServing', () => {
  it('knows the dataset images and refuses an unknown one with STUDIO_UNKNOWN_IMAGE', async () => {
    const images = new ImageServing(await openDataset(scratch.root));
    expect(images.size).toBe(4);
    expect([...images.all()].map((e) => e.id).sort()).toEqual([...scratch.ids].sort());
    expect(images.entry('test/01_test').name).toBe('01_test');
    const unknown = { code: 'STUDIO_UNKNOWN_IMAGE', message: expect.stringMatching(/no image/) };
    expect(() => images.entry('test/99_test')).toThrow(/no image "test\/99_test"/);
    await expect(images.image('test/99_test')).rejects.toMatchObject(unknown);
    await expect(images.labels('test/99_test')).rejects.toMatchObject(unknown);
  });

  it('serves pixels as a PNG and labels and FOV as mask runs, each loaded once', async () => {
    const images = new ImageServing(await openDataset(scratch.root));
    const id = 'test/01_test';
    const entry = images.entry(id);
    const pixels = await images.image(id, false);
    expect(await decodeGrey(pixels.png)).toMatchObject({ width: 64, height: 48 });
    expect(await images.image(id, false)).toBe(pixels);
    const labels = await images.labels(id);
    const size = 64 * 48;
    expect(decodeMaskRuns(labels.firstObserver, size)).toEqual(await loadLabel(entry, '1st'));
    expect(decodeMaskRuns(labels.secondObserver!, size)).toEqual(await loadLabel(entry, '2nd'));
    expect(decodeMaskRuns(labels.fov, size)).toEqual(await loadFov(entry));
    expect(labels.fovDerived).toBe(false);
    expect(await images.labels(id)).toBe(labels);
    expect(await images.fov(entry)).toBe(await images.fov(entry));
    // The training split has no 2nd observer.
    expect((await images.labels('training/21_training')).secondObserver).toBeNull();
  });

  it("prepares an image's neighbours in dataset order on a later turn, with their extra work", async () => {
    const prepared: string[] = [];
    const images = new ImageServing(await openDataset(scratch.root), async (id) => {
      prepared.push(id);
      throw new Error('a failed neighbour is dropped, not reported');
    });
    const order = [...images.all()].map((e) => e.id);
    await images.image(order[0]!, false);
    await nextTurn();
    expect(prepared).toEqual([]);
    const answer = images.image(order[1]!);
    expect(prepared).toEqual([]);
    await answer;
    await nextTurn();
    expect(prepared.sort()).toEqual([order[0], order[2]].sort());
    // The last image has one neighbour.
    prepared.length = 0;
    await images.image(order.at(-1)!);
    await nextTurn();
    expect(prepared).toEqual([order.at(-2)]);
  });

  it('serves a JPEG thumbnail 64 pixels wide, made once', async () => {
    const images = new ImageServing(await openDataset(scratch.root));
    const thumbnail = await images.thumbnail('test/01_test');
    expect(thumbnail).toMatchObject({ id: 'test/01_test', width: 64, height: 48 });
    expect([...thumbnail.jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const decoded = await sharp(thumbnail.jpeg).metadata();
    expect(decoded).toMatchObject({ format: 'jpeg', width: 64, height: 48 });
    expect(await images.thumbnail('test/01_test')).toBe(thumbnail);
    await expect(images.thumbnail('test/99_test')).rejects.toMatchObject({
      code: 'STUDIO_UNKNOWN_IMAGE',
    });
  });
});
