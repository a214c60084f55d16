import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openProject } from '../../engine/project';
import {
  randomMask,
  temporaryFolder,
  writeDriveLikeDataset,
} from '../../../../test/support/project/test-fixtures';
import { runCliCaptured } from '../run-captured';
import { projectCommand } from './project';

const folders: string[] = [];
afterEach(async () => {
  for (const dir of folders.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

function cli(...argv: string[]) {
  return runCliCaptured([projectCommand], argv);
}

describe('project command', () => {
  it('creates, describes, exports and relocates a project', async () => {
    const dir = temporaryFolder();
    folders.push(dir);
    const data = path.join(dir, 'DRIVE');
    await writeDriveLikeDataset(data, 2);
    const file = path.join(dir, 'p.vessel');

    const created = await cli('project', 'create', file, '--data', data, '--json');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ file, images: 2, layout: 'drive' });

    const project = await openProject(file);
    await project.saveMaskRevision('test/01_test', { kind: 'binary', ...randomMask(24, 20, 1) });
    await project.close();

    const info = await cli('project', 'info', file, '--json', '--check');
    expect(JSON.parse(info.stdout)).toMatchObject({
      images: 2,
      maskRevisions: 1,
      correctedImages: 1,
      missingFiles: 0,
      integrity: ['ok'],
    });

    const exported = await cli('project', 'export', file, path.join(dir, 'out'), '--json');
    expect(JSON.parse(exported.stdout)).toMatchObject({
      masks: ['masks/test/1st_manual/01_manual1.png'],
    });

    await fs.rename(data, path.join(dir, 'moved'));
    expect(JSON.parse((await cli('project', 'info', file, '--json')).stdout).missingFiles).toBe(6);
    const relocated = await cli('project', 'relocate', file, path.join(dir, 'moved'), '--json');
    expect(JSON.parse(relocated.stdout)).toMatchObject({ found: 6, missing: [] });
  });

  it('names the backup of a damaged project and restores it', async () => {
    const dir = temporaryFolder();
    folders.push(dir);
    const data = path.join(dir, 'DRIVE');
    await writeDriveLikeDataset(data, 1);
    const file = path.join(dir, 'p.vessel');
    expect((await cli('project', 'create', file, '--data', data)).code).toBe(0);
    const bytes = await fs.readFile(file);
    for (let i = 4096; i < bytes.length; i++) bytes[i] = 0xa5;
    await fs.writeFile(file, bytes);

    const damaged = await cli('project', 'info', file, '--json');
    expect(damaged.code).toBe(2);
    expect(JSON.parse(damaged.stdout).error).toMatchObject({
      code: 'PROJECT_CORRUPT',
      message: expect.stringContaining(`${file}.bak`),
    });
    const restored = await cli('project', 'restore', file, '--json');
    expect(JSON.parse(restored.stdout)).toMatchObject({ file, restoredFrom: `${file}.bak` });
    expect(JSON.parse((await cli('project', 'info', file, '--json')).stdout).images).toBe(1);
  });

  it('answers bad input with exit code 2 and the reason', async () => {
    const dir = temporaryFolder();
    folders.push(dir);
    expect((await cli('project', 'create', path.join(dir, 'p.vessel'))).stderr).toContain(
      'missing --data',
    );
    const missing = await cli('project', 'info', path.join(dir, 'none.vessel'), '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout)).toMatchObject({
      ok: false,
      error: { code: 'PROJECT_NOT_FOUND' },
    });
    expect((await cli('project', 'frobnicate', 'x')).code).toBe(2);
  });
});
