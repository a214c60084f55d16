import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openProject } from '../../engine/project';
import {
  randomMask,
  temporaryFolder,
  writeDriveLikeDataset,
} from '../../../../test/support/project/test-fixtures';
import { writeChase } from '../../engine/dataset/synthetic-datasets';
import { isTestImage } from '../../compute/train/split';
import { runCliCaptured } from '../run-captured';
import { projectCommand } from './project';

const folders: string[] = [];
afterEach(async () => {
  for (const dir of folders.splice(0)) await fs.rm(dir, { recursive: true, force: true });
});

function cli(...argv: string[]) {
  return runCliCaptured([projectCommand], argv);
}

/** A temporary folder, removed after the test. */
function scratchFolder(): string {
  const dir = temporaryFolder();
  folders.push(dir);
  return dir;
}

/** A scratch folder holding a DRIVE-like set of `count` images (data) and a project path (file). */
async function driveScratch(count: number): Promise<{ dir: string; data: string; file: string }> {
  const dir = scratchFolder();
  const data = path.join(dir, 'DRIVE');
  await writeDriveLikeDataset(data, count);
  return { dir, data, file: path.join(dir, 'p.vessel') };
}

describe('project command', () => {
  it('creates, describes, exports and relocates a project', async () => {
    const { dir, data, file } = await driveScratch(2);

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
    const { data, file } = await driveScratch(1);
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

  it('finds a damaged mask that integrity_check passes, names it, and exports every other mask', async () => {
    const { dir, data, file } = await driveScratch(2);
    expect((await cli('project', 'create', file, '--data', data)).code).toBe(0);
    const project = await openProject(file);
    await project.saveMaskRevision('test/01_test', { kind: 'binary', ...randomMask(24, 20, 1) });
    const bad = await project.saveMaskRevision('test/02_test', {
      kind: 'binary',
      ...randomMask(200, 180, 2),
    });
    const { bytes } = await project.maskRevisionBytes(bad.id);
    await project.close();
    // Damage the blob's bytes in place: SQLite's pages stay well-formed.
    const raw = await fs.readFile(file);
    const at = raw.indexOf(Buffer.from(bytes));
    expect(at).toBeGreaterThan(0);
    for (let i = 0; i < 64; i++) raw[at + 16 + i] ^= 0x5a;
    await fs.writeFile(file, raw);

    const checked = await cli('project', 'info', file, '--check', '--json');
    expect(checked.code).toBe(2);
    // The CLI's JSON error carries code and message: the message lists each damaged blob.
    const error = JSON.parse(checked.stdout).error;
    expect(error.code).toBe('PROJECT_DAMAGED_REVISIONS');
    expect(error.message).toContain(`1 damaged blob(s):\nimage test/02_test revision ${bad.id}:`);
    expect(error.message).not.toContain('test/01_test');

    const out = path.join(dir, 'out');
    const exported = await cli('project', 'export', file, out, '--json');
    expect(exported.code).toBe(2);
    const exportError = JSON.parse(exported.stdout).error;
    expect(exportError.code).toBe('PROJECT_DAMAGED_REVISIONS');
    expect(exportError.message).toContain(
      `1 corrected mask(s) are damaged and were left out:\nimage test/02_test revision ${bad.id}`,
    );
    const exportJson = JSON.parse(await fs.readFile(path.join(out, 'export.json'), 'utf8'));
    expect(exportJson).toMatchObject({
      masks: ['masks/test/1st_manual/01_manual1.png'],
      damagedMasks: [{ imageKey: 'test/02_test', revisionId: bad.id }],
    });
    await expect(
      fs.stat(path.join(out, 'masks/test/1st_manual/01_manual1.png')),
    ).resolves.toBeTruthy();
  });

  it('answers bad input with exit code 2 and the reason', async () => {
    const dir = scratchFolder();
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

  it('on a set without a split (CHASE_DB1 layout) holds out test images by the seeded rule, records and shows them', async () => {
    const dir = scratchFolder();
    const data = path.join(dir, 'CHASE');
    await writeChase(data, 8);
    const file = path.join(dir, 'chase.vessel');
    const created = await cli('project', 'create', file, '--data', data, '--json');
    expect(created.code).toBe(0);
    const json = JSON.parse(created.stdout);
    expect(json).toMatchObject({ layout: 'chase', images: 8 });
    const ids = [...json.split.test, ...json.split.training, ...json.split.validation];
    expect(ids.sort()).toHaveLength(8);
    // Test images are never trained on, and they are the ones the compute process leaves out.
    expect(json.split.test.length).toBeGreaterThan(0);
    expect(json.split.training.length).toBeGreaterThan(0);
    for (const id of json.split.test) expect(isTestImage({ id, split: 'all' })).toBe(true);
    for (const id of [...json.split.training, ...json.split.validation]) {
      expect(json.split.test).not.toContain(id);
      expect(isTestImage({ id, split: 'all' })).toBe(false);
    }
    expect(json.split.rule).toMatch(/held out as test: the set ships no test split.*seeded rule/);

    const text = await cli('project', 'info', file);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `test images (${json.split.test.length}): ${json.split.test.join(', ')}`,
    );
    expect(text.stdout).toMatch(/seeded rule/);
  });
});
