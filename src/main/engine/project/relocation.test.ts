import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProject } from './open';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { writeTinyPng } from '../../../../test/support/project/test-fixtures';

const { newProject, newDatasetFolder, open } = useScratchProjects();

describe('relocating a moved dataset', () => {
  it('finds every file again by hash under a renamed, restructured folder', async () => {
    const { dir, root, project } = await newProject(3);
    const moved = path.join(dir, 'archive', 'DRIVE-copy');
    await fs.mkdir(path.dirname(moved), { recursive: true });
    await fs.rename(root, moved);
    // One image also changes folder inside the dataset.
    await fs.mkdir(path.join(moved, 'extra'));
    await fs.rename(
      path.join(moved, 'test', 'images', '02_test.png'),
      path.join(moved, 'extra', 'renamed.png'),
    );
    expect((await project.missingImageFiles()).length).toBe(9);
    const report = await project.relocate(path.join(dir, 'archive'));
    expect(report).toMatchObject({ found: 9, missing: [] });
    expect(await project.missingImageFiles()).toEqual([]);
    expect(await project.imageFilePath('test/02_test')).toBe(
      path.join(moved, 'extra', 'renamed.png'),
    );
    // FOV masks are identical across images: each still maps to its own image's file.
    expect(await project.imageFilePath('test/03_test', 'fov')).toBe(
      path.join(moved, 'test', 'mask', '03_test_mask.png'),
    );
  });

  it('keeps images that shared one file sharing it after the move', async () => {
    const { dir, root } = await newDatasetFolder();
    const shared = await writeTinyPng(path.join(root, 'fov.png'), 7);
    const images = [1, 2].map((n) => ({
      key: `img${n}`,
      split: '',
      name: `img${n}`,
      files: { image: path.join(root, `img${n}.png`), fov: shared },
    }));
    for (const [n, image] of images.entries()) await writeTinyPng(image.files.image, n);
    const project = await createProject(path.join(dir, 'p.vessel'), { datasetRoot: root, images });
    open.push(project);
    await fs.rename(root, path.join(dir, 'moved'));
    expect(await project.relocate(path.join(dir, 'moved'))).toMatchObject({
      found: 4,
      missing: [],
    });
    expect(await project.imageFilePath('img2', 'fov')).toBe(path.join(dir, 'moved', 'fov.png'));
  });

  it('reports files it cannot find and changes nothing when none is found', async () => {
    const { dir, root, project } = await newProject(1);
    const empty = path.join(dir, 'empty');
    await fs.mkdir(empty);
    expect(await project.relocate(empty)).toMatchObject({
      found: 0,
      missing: expect.arrayContaining([expect.objectContaining({ role: 'image' })]),
    });
    expect(await project.datasetRoot()).toBe(root);
  });

  it('refuses a path that is not a folder', async () => {
    const { file, root, project } = await newProject(1);
    await expect(project.relocate(file)).rejects.toMatchObject({ code: 'PROJECT_BAD_INPUT' });
    expect(await project.datasetRoot()).toBe(root);
  });
});
