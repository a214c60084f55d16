import { describe, expect, it } from 'vitest';
import { decodeMaskRuns } from '../../../shared/mask-runs';
import { loadLabel } from '../dataset';
import { Corrections } from './corrections';
import { ImageServing } from './image-serving';
import { maskPng } from './png';
import { useStudioScratch } from '../../../../test/support/studio-test-setup';

const scratch = useStudioScratch('studio-corrections');
const size = 64 * 48;

/** Corrections over a new project `name` of the scratch dataset. */
async function openCorrections(name: string) {
  const { dataset, project } = await scratch.open(name);
  const images = new ImageServing(dataset);
  return { images, project, corrections: new Corrections(project, images) };
}

/** A 64x48 mask with the given pixels set. */
function painted(...pixels: number[]): Uint8Array {
  const mask = new Uint8Array(size);
  for (const p of pixels) mask[p] = 1;
  return mask;
}

describe('Corrections', () => {
  it("starts every image at its 1st observer's label, with no revisions", async () => {
    const { images, corrections } = await openCorrections('fresh');
    const id = 'test/01_test';
    const label = await loadLabel(images.entry(id), '1st');
    const mask = await corrections.mask(id);
    expect(mask).toMatchObject({ id, width: 64, height: 48, source: 'label', revisionId: null });
    expect(mask.runs).toEqual((await images.labels(id)).firstObserver);
    expect(await corrections.currentMaskData(id)).toEqual({ width: 64, height: 48, data: label });
    expect(await corrections.currentMask(images.entry(id), null)).toEqual(label);
    expect(await corrections.revisions(id)).toEqual([]);
  });

  it('appends revisions that become the current mask, and lists them newest first', async () => {
    const { images, corrections } = await openCorrections('appends');
    const id = 'training/21_training';
    const first = await corrections.saveMask(id, await maskPng(painted(7), 64, 48), null, 'dot');
    const second = await corrections.saveMask(
      id,
      await maskPng(painted(7, 8), 64, 48),
      first.id,
      'two dots',
    );
    expect(first).toMatchObject({ imageId: id, parentId: null, note: 'dot' });
    expect(second).toMatchObject({ imageId: id, parentId: first.id, note: 'two dots' });
    expect((await corrections.revisions(id)).map((r) => r.id)).toEqual([second.id, first.id]);
    const mask = await corrections.mask(id);
    expect(mask).toMatchObject({ source: 'revision', revisionId: second.id });
    expect(decodeMaskRuns(mask.runs, size)).toEqual(painted(7, 8));
    expect((await corrections.currentMaskData(id)).data).toEqual(painted(7, 8));
    expect(await corrections.currentMask(images.entry(id), first.id)).toEqual(painted(7));
  });

  it('saves nothing from a PNG that does not decode or is not the size of the image', async () => {
    const { corrections } = await openCorrections('refuses');
    const id = 'test/02_test';
    const unreadable = corrections.saveMask(id, new Uint8Array([1, 2, 3]), null, '');
    await expect(unreadable).rejects.toMatchObject({ code: 'STUDIO_MASK_SIZE' });
    await expect(unreadable).rejects.toThrow(/not a readable PNG/);
    const wrongSize = corrections.saveMask(
      id,
      await maskPng(new Uint8Array(32 * 96), 32, 96),
      null,
      '',
    );
    await expect(wrongSize).rejects.toMatchObject({ code: 'STUDIO_MASK_SIZE' });
    await expect(wrongSize).rejects.toThrow(/is 32x96 but the image is 64x48/);
    expect(await corrections.revisions(id)).toEqual([]);
  });

  it("restores an earlier revision of the image, and refuses another image's", async () => {
    const { corrections } = await openCorrections('restores');
    const id = 'test/01_test';
    const first = await corrections.saveMask(id, await maskPng(painted(3), 64, 48), null, '');
    await corrections.saveMask(id, await maskPng(painted(3, 4), 64, 48), first.id, '');
    const other = await corrections.saveMask(
      'test/02_test',
      await maskPng(painted(5), 64, 48),
      null,
      '',
    );
    await expect(corrections.restoreRevision(id, other.id)).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_REVISION',
    });
    const restored = await corrections.restoreRevision(id, first.id);
    expect(restored.revision).toMatchObject({ imageId: id, parentId: first.id });
    expect(restored.mask).toMatchObject({ source: 'revision', revisionId: restored.revision.id });
    expect(decodeMaskRuns(restored.mask.runs, size)).toEqual(painted(3));
    expect(await corrections.revisions(id)).toHaveLength(3);
  });

  it('refuses an image the dataset does not have', async () => {
    const { corrections } = await openCorrections('unknown');
    const unknown = { code: 'STUDIO_UNKNOWN_IMAGE' };
    const png = await maskPng(painted(), 64, 48);
    await expect(corrections.mask('test/99_test')).rejects.toMatchObject(unknown);
    await expect(corrections.currentMaskData('test/99_test')).rejects.toMatchObject(unknown);
    await expect(corrections.saveMask('test/99_test', png, null, '')).rejects.toMatchObject(
      unknown,
    );
    await expect(corrections.revisions('test/99_test')).rejects.toMatchObject(unknown);
    await expect(corrections.restoreRevision('test/99_test', 1)).rejects.toMatchObject(unknown);
  });
});
