import { describe, expect, it } from 'vitest';
import { decodePngMask, encodePngMask } from './mask-codec';
import { sha, useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { randomMaskInput } from '../../../../test/support/project/project-contents';
import { randomMask } from '../../../../test/support/project/test-fixtures';

const { newProject } = useScratchProjects();

describe('mask revisions', () => {
  it('appends revisions with parent, note and time, and restores any earlier state', async () => {
    const { project } = await newProject(2);
    const a = randomMask(24, 20, 1);
    const b = randomMask(24, 20, 2);
    const r1 = await project.saveMaskRevision(
      'test/01_test',
      { kind: 'binary', ...a },
      { note: 'first pass' },
    );
    const r2 = await project.saveMaskRevision(
      'test/01_test',
      { kind: 'binary', ...b },
      { note: 'thin vessels' },
    );
    expect(r1).toMatchObject({
      parentId: null,
      note: 'first pass',
      encoding: 'rle-deflate',
      width: 24,
      height: 20,
    });
    expect(r2.parentId).toBe(r1.id);
    expect(Date.parse(r2.createdAt)).toBeGreaterThanOrEqual(Date.parse(r1.createdAt));

    const restored = await project.restoreMaskRevision(r1.id);
    expect(restored).toMatchObject({
      parentId: r1.id,
      note: `restored revision ${r1.id}`,
      sha256: r1.sha256,
    });
    expect(Array.from((await project.loadMaskRevision(restored.id)).mask.data)).toEqual(
      Array.from(a.data),
    );
    // History is intact: the state restored over is still there.
    expect(Array.from((await project.loadMaskRevision(r2.id)).mask.data)).toEqual(
      Array.from(b.data),
    );
    expect((await project.listMaskRevisions('test/01_test')).map((r) => r.id)).toEqual([
      r1.id,
      r2.id,
      restored.id,
    ]);
    expect((await project.latestMaskRevisions()).map((r) => r.id)).toEqual([restored.id]);
    expect(await project.currentTrainingMasks(['test/01_test', 'test/02_test'])).toEqual([
      { imageKey: 'test/01_test', revisionId: restored.id },
      { imageKey: 'test/02_test', revisionId: null },
    ]);
  });

  it('keeps PNG corrections as given and decodes them to 0/1', async () => {
    const { project } = await newProject(1);
    const mask = randomMask(24, 20, 5);
    const png = await encodePngMask(mask);
    const saved = await project.saveMaskRevision('test/01_test', { kind: 'png', bytes: png });
    expect(saved).toMatchObject({ encoding: 'png', width: 24, height: 20, sha256: sha(png) });
    expect(Buffer.from(await project.maskRevisionPng(saved.id)).equals(Buffer.from(png))).toBe(
      true,
    );
    expect(Array.from((await project.loadMaskRevision(saved.id)).mask.data)).toEqual(
      Array.from(mask.data),
    );
  });

  it('accepts an explicit parent only from the same image', async () => {
    const { project } = await newProject(2);
    const r1 = await project.saveMaskRevision('test/01_test', randomMaskInput(24, 20, 1));
    await expect(
      project.saveMaskRevision('test/02_test', randomMaskInput(24, 20, 1), { parentId: r1.id }),
    ).rejects.toMatchObject({ code: 'PROJECT_UNKNOWN_REVISION' });
    const branch = await project.saveMaskRevision('test/01_test', randomMaskInput(24, 20, 3), {
      parentId: r1.id,
    });
    expect(branch.parentId).toBe(r1.id);
  });

  it('refuses masks without a proper size, and revisions and images it does not hold', async () => {
    const { project } = await newProject(1);
    for (const [width, height] of [
      [0, 2],
      [2.5, 2],
    ]) {
      await expect(
        project.saveMaskRevision('test/01_test', {
          kind: 'binary',
          width,
          height,
          data: new Uint8Array(5),
        }),
      ).rejects.toMatchObject({ code: 'PROJECT_BAD_MASK' });
    }
    await expect(project.maskRevisionBytes(99)).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_REVISION',
    });
    await expect(project.restoreMaskRevision(99)).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_REVISION',
    });
    await expect(project.currentTrainingMasks(['test/09_test'])).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_IMAGE',
    });
    expect(await project.listMaskRevisions()).toEqual([]);
  });

  it('gives back run-length revisions as stored bytes and as PNG', async () => {
    const { project } = await newProject(1);
    const mask = randomMask(24, 20, 4);
    const saved = await project.saveMaskRevision('test/01_test', { kind: 'binary', ...mask });
    const { revision, bytes } = await project.maskRevisionBytes(saved.id);
    expect(revision).toEqual(saved);
    expect([bytes.byteLength, sha(bytes)]).toEqual([saved.byteLength, saved.sha256]);
    const png = await project.maskRevisionPng(saved.id);
    expect(Array.from((await decodePngMask(png)).data)).toEqual(Array.from(mask.data));
  });
});
