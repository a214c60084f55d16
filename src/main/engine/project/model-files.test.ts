import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkModelFiles, readModelDir } from './model-files';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';
import { tinyModelFiles } from '../../../../test/support/project/test-fixtures';

const { newProject, scratchFolder } = useScratchProjects();

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('model files', () => {
  it('accepts a loadable tfjs folder and says what is wrong with one that is not', () => {
    expect(() => checkModelFiles('ok', tinyModelFiles(new Uint8Array(8)))).not.toThrow();
    const listsMissingShard = { modelTopology: {}, weightsManifest: [{ paths: ['a.bin'] }] };
    const cases: [Record<string, Uint8Array>, string][] = [
      [{}, 'has no model.json'],
      [{ 'model.json': text('{') }, 'is not valid JSON'],
      [{ 'model.json': text('{"weightsManifest": []}') }, 'is not a tfjs layers model'],
      [{ 'model.json': text(JSON.stringify(listsMissingShard)) }, 'weight file a.bin'],
    ];
    for (const [files, says] of cases) {
      expect(() => checkModelFiles('m', files)).toThrow(
        expect.objectContaining({
          code: 'PROJECT_BAD_MODEL',
          message: expect.stringContaining(says),
        }),
      );
    }
  });

  it('reads the files directly in a model folder, and refuses a folder it cannot read', async () => {
    const dir = scratchFolder();
    await fs.writeFile(path.join(dir, 'model.json'), '{}');
    await fs.mkdir(path.join(dir, 'nested'));
    await fs.writeFile(path.join(dir, 'nested', 'skipped.bin'), 'x');
    expect(await readModelDir(dir)).toEqual({ 'model.json': text('{}') });
    await expect(readModelDir(path.join(dir, 'missing'))).rejects.toMatchObject({
      code: 'PROJECT_BAD_MODEL',
    });
  });

  it('refuses to give back the files of a version it does not hold', async () => {
    const { dir, project } = await newProject(1);
    await expect(project.readModelFiles(5)).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_MODEL',
    });
    await expect(project.writeModelDir(5, path.join(dir, 'out'))).rejects.toMatchObject({
      code: 'PROJECT_UNKNOWN_MODEL',
    });
  });
});
