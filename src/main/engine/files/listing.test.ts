import { chmod, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILES_ERROR_CODES } from '../../../shared/api/files';
import { writeStare } from '../dataset/synthetic-datasets';
import { writeTestDataset } from '../studio/test-dataset';
import { listFolder, resolveTypedPath } from './listing';
import { absoluteTypedPath, expandHome } from './paths';

describe('the folder listing', () => {
  let home: string;
  let data: string;

  beforeAll(async () => {
    home = await realpath(await mkdtemp(path.join(os.tmpdir(), 'vessel-listing-')));
    data = path.join(home, 'data');
    await writeTestDataset(path.join(data, 'DRIVE'), { perSplit: 2, width: 32, height: 24 });
    await writeStare(path.join(data, 'stare'), false, 3);
    await mkdir(path.join(data, 'notes'), { recursive: true });
    await writeFile(path.join(data, 'notes', 'readme.txt'), 'not a dataset');
    await mkdir(path.join(data, '.cache', 'DRIVE-copy'), { recursive: true });
    await writeFile(path.join(data, 'study.vessel'), 'a project file');
    await writeFile(path.join(data, '.hidden.vessel'), 'hidden');
    await writeFile(path.join(data, 'photo.png'), 'other file');
    await symlink(path.join(data, 'DRIVE'), path.join(data, 'drive-link'));
    await symlink(path.join(data, 'missing'), path.join(data, 'broken-link'));
  });

  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('lists subfolders then .vessel files, sorted, hidden entries and other files left out', async () => {
    const listing = await listFolder(data, { home });
    expect(listing.path).toBe(data);
    expect(listing.parent).toBe(home);
    expect(listing.entries.map((e) => [e.name, e.kind])).toEqual([
      ['DRIVE', 'folder'],
      ['drive-link', 'folder'],
      ['notes', 'folder'],
      ['stare', 'folder'],
      ['study.vessel', 'project'],
    ]);
  });

  it('marks each dataset folder with its layout and image count, by names only', async () => {
    const listing = await listFolder(data, { home });
    const byName = new Map(listing.entries.map((e) => [e.name, e]));
    expect(byName.get('DRIVE')?.dataset).toEqual({ layout: 'drive', images: 4 });
    expect(byName.get('stare')?.dataset).toEqual({ layout: 'stare', images: 3 });
    expect(byName.get('notes')?.dataset).toBeNull();
    expect(byName.get('study.vessel')?.dataset).toBeNull();
    expect(listing.entries.every((e) => e.checked)).toBe(true);
    expect(listing.dataset).toBeNull();
    // The listed folder itself is checked too.
    expect((await listFolder(path.join(data, 'DRIVE'), { home })).dataset).toEqual({
      layout: 'drive',
      images: 4,
    });
  });

  it('follows a link to a folder to its real place, and lists the folder a link names by its real path', async () => {
    const listing = await listFolder(data, { home });
    const link = listing.entries.find((e) => e.name === 'drive-link');
    expect(link).toMatchObject({ link: true, path: path.join(data, 'DRIVE') });
    expect(link?.dataset?.layout).toBe('drive');
    expect((await listFolder(path.join(data, 'drive-link'), { home })).path).toBe(
      path.join(data, 'DRIVE'),
    );
  });

  it('expands ~ to the home folder, in listings and in resolved paths', async () => {
    expect(expandHome('~', home)).toBe(home);
    expect(expandHome('~/data/DRIVE', home)).toBe(path.join(home, 'data', 'DRIVE'));
    expect(expandHome('/abs/~/x', home)).toBe('/abs/~/x');
    expect((await listFolder('~/data', { home })).path).toBe(data);
    expect((await listFolder(undefined, { home })).path).toBe(home);
    expect(await resolveTypedPath('~/data/DRIVE', home)).toEqual({
      path: path.join(data, 'DRIVE'),
      kind: 'folder',
      dataset: { layout: 'drive', images: 4 },
    });
    expect(await resolveTypedPath('~/data/study.vessel', home)).toMatchObject({ kind: 'project' });
    expect(await resolveTypedPath('~/data/photo.png', home)).toMatchObject({ kind: 'file' });
  });

  it('refuses a relative path, saying to type an absolute one or start with ~', async () => {
    expect(() => absoluteTypedPath('data/DRIVE', home)).toThrow(/relative path.*~/);
    await expect(listFolder('data', { home })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('answers a missing path, a file and an unreadable folder with coded errors', async () => {
    await expect(listFolder(path.join(data, 'nope'), { home })).rejects.toMatchObject({
      code: FILES_ERROR_CODES.NOT_FOUND,
      message: expect.stringContaining(path.join(data, 'nope')),
    });
    await expect(listFolder(path.join(data, 'photo.png'), { home })).rejects.toMatchObject({
      code: FILES_ERROR_CODES.NOT_A_FOLDER,
    });
    await expect(listFolder(path.join(data, 'broken-link'), { home })).rejects.toMatchObject({
      code: FILES_ERROR_CODES.NOT_FOUND,
    });
    if (process.getuid?.() === 0) return; // root reads any folder: no permission to deny
    const locked = path.join(home, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o000);
    try {
      await expect(listFolder(locked, { home })).rejects.toMatchObject({
        code: FILES_ERROR_CODES.PERMISSION_DENIED,
        message: expect.stringMatching(/Permission denied.*chmod/),
      });
    } finally {
      await chmod(locked, 0o755);
    }
  });

  it('offers home, the folders of recent datasets, the projects folder and the root as places', async () => {
    const projects = path.join(home, 'projects');
    await mkdir(projects, { recursive: true });
    const listing = await listFolder(data, {
      home,
      env: { VESSEL_PROJECTS_DIR: projects },
      recentDatasetRoots: [path.join(data, 'DRIVE'), path.join(data, 'stare'), '/gone/DRIVE'],
    });
    expect(listing.places).toEqual([
      { kind: 'home', label: 'Home', path: home },
      { kind: 'recent', label: 'data', path: data },
      { kind: 'projects', label: 'Vessel Studio projects', path: projects },
      { kind: 'root', label: '/', path: '/' },
    ]);
    expect(listing.home).toBe(home);
  });
});
