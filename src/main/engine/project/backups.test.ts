import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../test/support/seeded-random';
import {
  addTinyModel,
  useScratchProjects,
} from '../../../../test/support/project/project-test-setup';
import {
  listBackups,
  MIGRATION_BACKUPS_KEPT,
  migrationBackupPath,
  pruneMigrationBackups,
  rollingBackupPath,
} from './backups';
import { openProject } from './open';
import type { Project } from './project';
import { SqliteDatabase } from './sqlite';

const { newProject, open } = useScratchProjects();

/** Caches `count` noisy 565x584 maps (about 330 kB each as PNG) for a new model version. */
async function cacheMaps(project: Project, count: number): Promise<number> {
  const model = await addTinyModel(project);
  const random = seededRandom(count);
  const [width, height] = [565, 584];
  for (let i = 0; i < count; i++) {
    const probabilities = Float32Array.from({ length: width * height }, () => random());
    await project.putPrediction(
      model.id,
      'test/01_test',
      { width, height, probabilities },
      `o${i}`,
    );
  }
  return model.id;
}

async function count(file: string, table: string): Promise<number> {
  const db = await SqliteDatabase.open(file, { readOnly: true });
  try {
    return (await db.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;
  } finally {
    await db.close();
  }
}

describe('backups', () => {
  it('leave out the prediction cache and keep everything else', async () => {
    const { file, project } = await newProject(1);
    await cacheMaps(project, 4);
    await project.updateViewSettings({ brushSize: 9 });
    const backup = await project.backup();
    expect(backup).toBe(rollingBackupPath(file));
    expect(await count(backup, 'prediction_cache')).toBe(0);
    expect(await count(backup, 'model_versions')).toBe(1);
    expect(await count(backup, 'view_settings')).toBeGreaterThan(0);
    expect(await count(file, 'prediction_cache')).toBe(4);
    const copy = await SqliteDatabase.open(backup, { readOnly: true });
    expect(await copy.all('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    await copy.close();
    // The four maps are over a megabyte; the copy holds none of them.
    const copied = await fs.stat(backup);
    await project.close();
    expect((await fs.stat(file)).size - copied.size).toBeGreaterThan(1_000_000);
  });

  it('keep only the newest copies taken before migrations, of this project only', async () => {
    const { dir, file, project } = await newProject(1);
    await project.close();
    open.splice(0);
    const other = path.join(dir, 'other.vessel');
    const stamps = ['2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'];
    const old = stamps.map((t, i) => migrationBackupPath(file, i + 1, new Date(t)));
    const others = [migrationBackupPath(other, 1, new Date(stamps[0]!))];
    for (const name of [...old, ...others, rollingBackupPath(file)]) await fs.writeFile(name, 'x');
    expect(await pruneMigrationBackups(file, MIGRATION_BACKUPS_KEPT)).toEqual([old[0]]);

    // Opening the file as the previous schema takes a new copy and drops the next oldest.
    const db = await SqliteDatabase.open(file);
    await db.exec('PRAGMA user_version = 5');
    await db.close();
    const upgraded = await openProject(file);
    open.push(upgraded);
    const names = (await listBackups(file)).map((b) => path.basename(b.path));
    expect(names).toEqual(
      expect.arrayContaining([
        path.basename(old[2]!),
        expect.stringMatching(/^study\.vessel\.schema-v5-\d{8}T\d{6}Z\.bak$/),
        'study.vessel.bak',
      ]),
    );
    expect(names).toHaveLength(MIGRATION_BACKUPS_KEPT + 1);
    for (const name of others) await expect(fs.stat(name)).resolves.toBeTruthy();
  });

  it('a close after a large delete gives the space back', async () => {
    const { file, project } = await newProject(1);
    const modelId = await cacheMaps(project, 16);
    await project.close();
    open.splice(0);
    const full = (await fs.stat(file)).size;
    const reopened = await openProject(file);
    open.push(reopened);
    expect(await reopened.clearPredictions(modelId)).toBe(16);
    await reopened.close();
    const after = (await fs.stat(file)).size;
    expect(full - after).toBeGreaterThan(4_000_000);
  });
});
