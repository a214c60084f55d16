import { describe, expect, it } from 'vitest';
import { openProject } from './open';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { SqliteDatabase } from './sqlite';
import { defaultViewSettings } from './view-settings';

const { newProject, open } = useScratchProjects();

describe('view settings', () => {
  it('saves only the listed settings, validated, with defaults for the rest', async () => {
    const { project, file } = await newProject(1);
    expect((await project.getViewSettings()).brushSize).toBe(5);
    await project.updateViewSettings({
      brushSize: 9,
      selectedImage: 'test/01_test',
      pan: { x: 3, y: -2 },
    });
    await expect(project.updateViewSettings({ brushSize: 0 })).rejects.toMatchObject({
      code: 'PROJECT_BAD_INPUT',
    });
    await expect(project.updateViewSettings({ colour: 'red' } as never)).rejects.toMatchObject({
      code: 'PROJECT_BAD_INPUT',
    });
    await project.close();
    const again = await openProject(file);
    open.push(again);
    expect(await again.getViewSettings()).toMatchObject({
      brushSize: 9,
      selectedImage: 'test/01_test',
      pan: { x: 3, y: -2 },
      zoom: 1,
    });
  });

  it('reads a value saved in a shape no longer valid, or under a key no longer listed, as defaults', async () => {
    const { project, file } = await newProject(1);
    await project.updateViewSettings({ zoom: 4 });
    await project.close();
    const db = await SqliteDatabase.open(file);
    await db.run(`UPDATE view_settings SET value = '"huge"' WHERE key = 'zoom'`);
    await db.run(
      `INSERT INTO view_settings (key, value, updated_at) VALUES ('colour', '"red"', 'then')`,
    );
    await db.close();
    const again = await openProject(file, { readOnly: true });
    open.push(again);
    expect(await again.getViewSettings()).toEqual(defaultViewSettings);
  });
});
