import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { ElectronFake } from '../../../test/support/electron-fake';

vi.mock('electron', async () =>
  (await import('../../../test/support/electron-fake')).createElectronFake(),
);

const electron = (await import('electron')) as unknown as ElectronFake;
const { showOpenDialogFor, showSaveDialogFor, validateOpenResult, validateSaveResult } =
  await import('./dialogs');

const root = mkdtempSync(path.join(os.tmpdir(), 'vessel-dialogs-'));
const project = path.join(root, 'study.vessel');
const dataset = path.join(root, 'DRIVE');
const image = path.join(root, '01_test.tif');
writeFileSync(project, '');
writeFileSync(image, '');
mkdirSync(dataset);
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('open dialog results', () => {
  it('accepts one existing path of the right kind', async () => {
    expect(await validateOpenResult({ canceled: false, filePaths: [project] }, 'project')).toEqual({
      canceled: false,
      path: project,
    });
    expect(await validateOpenResult({ canceled: false, filePaths: [dataset] }, 'dataset')).toEqual({
      canceled: false,
      path: dataset,
    });
    expect(await validateOpenResult({ canceled: false, filePaths: [image] }, 'image')).toEqual({
      canceled: false,
      path: image,
    });
  });

  it('turns a cancel (or nothing chosen) into canceled', async () => {
    const canceled = { canceled: true, path: null };
    expect(await validateOpenResult({ canceled: true, filePaths: [] }, 'project')).toEqual(
      canceled,
    );
    expect(await validateOpenResult({ canceled: false, filePaths: [] }, 'dataset')).toEqual(
      canceled,
    );
  });

  it('refuses what a dialog should never return, with a stable code', async () => {
    expect(await codeOf(validateOpenResult(undefined, 'project'))).toBe('SHELL_DIALOG_INVALID');
    expect(await codeOf(validateOpenResult({ canceled: 'no', filePaths: [] }, 'project'))).toBe(
      'SHELL_DIALOG_INVALID',
    );
    expect(await codeOf(validateOpenResult({ canceled: false, filePaths: [42] }, 'project'))).toBe(
      'SHELL_DIALOG_INVALID',
    );
    expect(
      await codeOf(
        validateOpenResult({ canceled: false, filePaths: [project, project] }, 'project'),
      ),
    ).toBe('SHELL_DIALOG_BAD_PATH');
    expect(
      await codeOf(validateOpenResult({ canceled: false, filePaths: ['study.vessel'] }, 'project')),
    ).toBe('SHELL_DIALOG_BAD_PATH');
  });

  it('refuses a file of another type, a missing file and a file where a folder is wanted', async () => {
    const wrongType = validateOpenResult({ canceled: false, filePaths: [image] }, 'project');
    await expect(wrongType).rejects.toThrow(/01_test\.tif is not a Vessel Studio project/);
    expect(
      await codeOf(validateOpenResult({ canceled: false, filePaths: [image] }, 'project')),
    ).toBe('SHELL_DIALOG_WRONG_TYPE');
    const gone = path.join(root, 'gone.vessel');
    expect(
      await codeOf(validateOpenResult({ canceled: false, filePaths: [gone] }, 'project')),
    ).toBe('SHELL_DIALOG_NOT_FOUND');
    await expect(
      validateOpenResult({ canceled: false, filePaths: [project] }, 'dataset'),
    ).rejects.toThrow(/is a file, not a dataset folder/);
  });
});

describe('save dialog results', () => {
  it('adds the missing extension and keeps the right one', async () => {
    expect(
      await validateSaveResult(
        { canceled: false, filePath: path.join(root, 'metrics') },
        'metrics-csv',
      ),
    ).toEqual({ canceled: false, path: path.join(root, 'metrics.csv') });
    expect(
      await validateSaveResult(
        { canceled: false, filePath: path.join(root, 'ROC.SVG') },
        'chart-svg',
      ),
    ).toEqual({ canceled: false, path: path.join(root, 'ROC.SVG') });
    expect(
      await validateSaveResult(
        { canceled: false, filePath: path.join(root, 'new.txt') },
        'project',
      ),
    ).toEqual({ canceled: false, path: path.join(root, 'new.txt.vessel') });
  });

  it('refuses a relative path, a missing folder and a malformed answer', async () => {
    expect(await validateSaveResult({ canceled: true, filePath: '' }, 'project')).toEqual({
      canceled: true,
      path: null,
    });
    expect(
      await codeOf(validateSaveResult({ canceled: false, filePath: 'x.csv' }, 'metrics-csv')),
    ).toBe('SHELL_DIALOG_BAD_PATH');
    const missing = path.join(root, 'no-such-folder', 'x.csv');
    expect(
      await codeOf(validateSaveResult({ canceled: false, filePath: missing }, 'metrics-csv')),
    ).toBe('SHELL_DIALOG_NOT_FOUND');
    expect(await codeOf(validateSaveResult({ filePath: 7 }, 'metrics-csv'))).toBe(
      'SHELL_DIALOG_INVALID',
    );
  });
});

describe('native dialogs', () => {
  it('asks for a folder for a dataset and validates the answer', async () => {
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [dataset] });
    expect(await showOpenDialogFor('dataset')).toEqual({ canceled: false, path: dataset });
    const options = electron.dialog.showOpenDialog.mock.calls[0][0] as {
      properties: string[];
      title: string;
    };
    expect(options.properties).toEqual(['openDirectory']);
    expect(options.title).toMatch(/dataset folder/);
  });

  it('asks for a folder to export into, offering to make a new one, and refuses a file', async () => {
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [dataset] });
    expect(await showOpenDialogFor('export-folder')).toEqual({ canceled: false, path: dataset });
    const options = electron.dialog.showOpenDialog.mock.calls.at(-1)?.[0] as {
      properties: string[];
    };
    expect(options.properties).toEqual(['openDirectory', 'createDirectory']);
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [image] });
    await expect(showOpenDialogFor('export-folder')).rejects.toMatchObject({
      code: 'SHELL_DIALOG_NOT_FOUND',
    });
  });

  it('filters project files and refuses a file the filter should have hidden', async () => {
    electron.dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [image] });
    await expect(showOpenDialogFor('project')).rejects.toMatchObject({
      code: 'SHELL_DIALOG_WRONG_TYPE',
    });
    const options = electron.dialog.showOpenDialog.mock.calls.at(-1)?.[0] as {
      filters: Array<{ extensions: string[] }>;
    };
    expect(options.filters[0].extensions).toEqual(['vessel']);
  });

  it('suggests only a file name when saving', async () => {
    electron.dialog.showSaveDialog.mockResolvedValueOnce({
      canceled: false,
      filePath: path.join(root, 'run-3'),
    });
    expect(await showSaveDialogFor('chart-png', '../../etc/roc.png')).toEqual({
      canceled: false,
      path: path.join(root, 'run-3.png'),
    });
    const options = electron.dialog.showSaveDialog.mock.calls[0][0] as { defaultPath: string };
    expect(options.defaultPath).toBe('roc.png');
  });
});
