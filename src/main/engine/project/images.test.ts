import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProject } from './open';
import { sha, useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { writeTinyPng } from '../../../../test/support/project/test-fixtures';

const { newProject, newDatasetFolder } = useScratchProjects();

describe('images', () => {
  it('stores the dataset root and each image file relative to it with size and SHA-256', async () => {
    const { root, project } = await newProject(2);
    expect(await project.datasetRoot()).toBe(root);
    const images = await project.listImages();
    expect(images.map((i) => i.key)).toEqual(['test/01_test', 'test/02_test']);
    const file = images[0].files.find((f) => f.role === 'image');
    const bytes = await fs.readFile(path.join(root, 'test', 'images', '01_test.png'));
    expect(file).toEqual({
      role: 'image',
      relPath: 'test/images/01_test.png',
      size: bytes.length,
      sha256: sha(bytes),
    });
    expect(await project.imageFilePath('test/01_test', 'label-1st')).toBe(
      path.join(root, 'test', '1st_manual', '01_manual1.png'),
    );
  });

  it('refuses image files outside the dataset root, leaving no half-made file', async () => {
    const { dir, root } = await newDatasetFolder();
    const outside = await writeTinyPng(path.join(dir, 'elsewhere.png'), 1);
    const file = path.join(dir, 'p.vessel');
    await expect(
      createProject(file, {
        datasetRoot: root,
        images: [{ key: 'x', split: '', name: 'x', files: { image: outside } }],
      }),
    ).rejects.toMatchObject({ code: 'PROJECT_FILE_OUTSIDE_ROOT' });
    expect(existsSync(file)).toBe(false);
  });

  it('refuses an image listed twice or without an image file, adding none of the batch', async () => {
    const { root, project } = await newProject(1);
    const image = path.join(root, 'test', 'images', '01_test.png');
    const fresh = { key: 'extra/a', split: 'extra', name: 'a', files: { image } };
    await expect(
      project.addImages([fresh, { ...fresh, key: 'test/01_test' }]),
    ).rejects.toMatchObject({
      code: 'PROJECT_BAD_INPUT',
      message: expect.stringContaining('already lists'),
    });
    expect((await project.listImages()).map((i) => i.key)).toEqual(['test/01_test']);
    await expect(
      project.addImages([{ key: 'extra/b', split: 'extra', name: 'b', files: { fov: image } }]),
    ).rejects.toMatchObject({
      code: 'PROJECT_BAD_INPUT',
      message: expect.stringContaining('files.image'),
    });
    await project.addImages([fresh]);
    expect((await project.listImages()).map((i) => i.key)).toEqual(['extra/a', 'test/01_test']);
  });

  it('lists files that are gone or changed size, and refuses files it does not list', async () => {
    const { root, project } = await newProject(2);
    await fs.rm(path.join(root, 'test', 'images', '01_test.png'));
    await fs.appendFile(path.join(root, 'test', '1st_manual', '02_manual1.png'), 'x');
    expect(await project.missingImageFiles()).toEqual([
      { imageKey: 'test/01_test', role: 'image', relPath: 'test/images/01_test.png' },
      { imageKey: 'test/02_test', role: 'label-1st', relPath: 'test/1st_manual/02_manual1.png' },
    ]);
    await expect(project.imageFilePath('test/09_test')).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_IMAGE',
    });
    await expect(project.imageFilePath('test/01_test', 'label-2nd')).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_IMAGE',
    });
  });
});
