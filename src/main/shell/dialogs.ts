/**
 * Native open and save dialogs. The renderer names only a purpose; main picks the title, the
 * filters and the kind (file or folder), and validates what the dialog returned: an absolute
 * path that exists (open) or whose folder exists (save), with the purpose's extension. Filters
 * are hints on some desktops (a GTK dialog accepts a typed name), so the result is checked.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { dialog, type BaseWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import { z } from 'zod';
import type { DialogResult, OpenPurpose, SavePurpose } from '../../shared/api/shell';
import { AppError, parseOrThrow } from '../../shared/result';
import { DIALOG_ERROR_CODES } from '../../shared/api/errors';

export { DIALOG_ERROR_CODES } from '../../shared/api/errors';

interface OpenSpec {
  title: string;
  kind: 'file' | 'folder';
  /** What a person calls it, in error messages. */
  noun: string;
  filters?: Array<{ name: string; extensions: string[] }>;
  /** The dialog offers to make a new folder (macOS shows that button only when asked). */
  createFolders?: boolean;
}

const IMAGE_EXTENSIONS = ['tif', 'tiff', 'png', 'jpg', 'jpeg', 'gif', 'ppm', 'bmp'];

export const OPEN_SPECS: Record<OpenPurpose, OpenSpec> = {
  project: {
    title: 'Open a Vessel Studio project',
    kind: 'file',
    noun: 'a Vessel Studio project (.vessel)',
    filters: [{ name: 'Vessel Studio project', extensions: ['vessel'] }],
  },
  dataset: {
    title: 'Open a dataset folder (for example DRIVE)',
    kind: 'folder',
    noun: 'a dataset folder',
  },
  model: { title: 'Open a model folder', kind: 'folder', noun: 'a model folder' },
  'export-folder': {
    title: 'Choose the folder to export into (a new folder is made inside it)',
    kind: 'folder',
    noun: 'a folder to export into',
    createFolders: true,
  },
  image: {
    title: 'Open a fundus image',
    kind: 'file',
    noun: `an image (${IMAGE_EXTENSIONS.map((e) => `.${e}`).join(', ')})`,
    filters: [{ name: 'Images', extensions: IMAGE_EXTENSIONS }],
  },
};

interface SaveSpec {
  title: string;
  extension: string;
  filterName: string;
  defaultName: string;
}

export const SAVE_SPECS: Record<SavePurpose, SaveSpec> = {
  project: {
    title: 'New Vessel Studio project',
    extension: 'vessel',
    filterName: 'Vessel Studio project',
    defaultName: 'Untitled.vessel',
  },
  'metrics-csv': {
    title: 'Export the metrics table',
    extension: 'csv',
    filterName: 'CSV table',
    defaultName: 'metrics.csv',
  },
  'chart-png': {
    title: 'Export the chart as PNG',
    extension: 'png',
    filterName: 'PNG image',
    defaultName: 'chart.png',
  },
  'chart-svg': {
    title: 'Export the chart as SVG',
    extension: 'svg',
    filterName: 'SVG image',
    defaultName: 'chart.svg',
  },
  'mask-png': {
    title: 'Export the mask as PNG',
    extension: 'png',
    filterName: 'PNG image',
    defaultName: 'mask.png',
  },
};

const openResultSchema = z.object({ canceled: z.boolean(), filePaths: z.array(z.string()) });
const saveResultSchema = z.object({ canceled: z.boolean(), filePath: z.string().optional() });

const CANCELED: DialogResult = { canceled: true, path: null };

function extensionOf(file: string): string {
  return path.extname(file).slice(1).toLowerCase();
}

async function kindOf(target: string): Promise<'file' | 'folder' | null> {
  try {
    const info = await stat(target);
    if (info.isDirectory()) return 'folder';
    return info.isFile() ? 'file' : null;
  } catch {
    return null;
  }
}

/** A dialog's answer read with `schema`; another shape (a platform bug) is SHELL_DIALOG_INVALID. */
function parseDialogAnswer<T>(schema: z.ZodType<T>, raw: unknown, dialog: 'open' | 'save'): T {
  return parseOrThrow(
    schema,
    raw,
    DIALOG_ERROR_CODES.INVALID,
    () =>
      `The ${dialog} dialog returned an unexpected answer. Try again, or type the path instead.`,
  );
}

/** Checks what an open dialog returned for a purpose; throws an AppError naming the path. */
export async function validateOpenResult(
  raw: unknown,
  purpose: OpenPurpose,
): Promise<DialogResult> {
  const { canceled, filePaths } = parseDialogAnswer(openResultSchema, raw, 'open');
  if (canceled || filePaths.length === 0) return CANCELED;
  const spec = OPEN_SPECS[purpose];
  if (filePaths.length > 1) {
    throw new AppError(
      DIALOG_ERROR_CODES.BAD_PATH,
      `Choose one ${spec.kind}, not ${filePaths.length}.`,
    );
  }
  const chosen = filePaths[0];
  if (!path.isAbsolute(chosen)) {
    throw new AppError(
      DIALOG_ERROR_CODES.BAD_PATH,
      `"${chosen}" is not an absolute path. Choose ${spec.noun} again.`,
    );
  }
  const extensions = spec.filters?.flatMap((f) => f.extensions) ?? [];
  if (spec.kind === 'file' && !extensions.includes(extensionOf(chosen))) {
    throw new AppError(
      DIALOG_ERROR_CODES.WRONG_TYPE,
      `${chosen} is not ${spec.noun}. Choose a file with one of these extensions: ${extensions.map((e) => `.${e}`).join(', ')}.`,
    );
  }
  const kind = await kindOf(chosen);
  if (kind !== spec.kind) {
    throw new AppError(
      DIALOG_ERROR_CODES.NOT_FOUND,
      kind === null
        ? `${chosen} does not exist (was it moved or deleted?). Choose ${spec.noun} again.`
        : `${chosen} is a ${kind}, not ${spec.noun}.`,
    );
  }
  return { canceled: false, path: chosen };
}

/**
 * Checks what a save dialog returned; adds the purpose's extension when it is missing (Linux
 * dialogs do not add it), and requires the folder to exist.
 */
export async function validateSaveResult(
  raw: unknown,
  purpose: SavePurpose,
): Promise<DialogResult> {
  const { canceled, filePath } = parseDialogAnswer(saveResultSchema, raw, 'save');
  if (canceled || filePath === undefined || filePath === '') return CANCELED;
  if (!path.isAbsolute(filePath)) {
    throw new AppError(
      DIALOG_ERROR_CODES.BAD_PATH,
      `"${filePath}" is not an absolute path. Choose where to save again.`,
    );
  }
  const spec = SAVE_SPECS[purpose];
  const target =
    extensionOf(filePath) === spec.extension ? filePath : `${filePath}.${spec.extension}`;
  const folder = path.dirname(target);
  if ((await kindOf(folder)) !== 'folder') {
    throw new AppError(
      DIALOG_ERROR_CODES.NOT_FOUND,
      `The folder ${folder} does not exist. Choose another place to save.`,
    );
  }
  return { canceled: false, path: target };
}

/** Shows the open dialog for a purpose (attached to the window when given). */
export async function showOpenDialogFor(
  purpose: OpenPurpose,
  window?: BaseWindow,
): Promise<DialogResult> {
  const spec = OPEN_SPECS[purpose];
  const options: OpenDialogOptions = {
    title: spec.title,
    properties: [
      spec.kind === 'folder' ? 'openDirectory' : 'openFile',
      ...(spec.createFolders ? (['createDirectory'] as const) : []),
    ],
  };
  if (spec.filters !== undefined) options.filters = spec.filters;
  const raw = window
    ? await dialog.showOpenDialog(window, options)
    : await dialog.showOpenDialog(options);
  return validateOpenResult(raw, purpose);
}

/** Shows the save dialog for a purpose, suggesting a file name (never a folder). */
export async function showSaveDialogFor(
  purpose: SavePurpose,
  suggestedName?: string,
  window?: BaseWindow,
): Promise<DialogResult> {
  const spec = SAVE_SPECS[purpose];
  const options: SaveDialogOptions = {
    title: spec.title,
    defaultPath: path.basename(suggestedName ?? spec.defaultName),
    filters: [{ name: spec.filterName, extensions: [spec.extension] }],
    properties: ['createDirectory', 'showOverwriteConfirmation'],
  };
  const raw = window
    ? await dialog.showSaveDialog(window, options)
    : await dialog.showSaveDialog(options);
  return validateSaveResult(raw, purpose);
}
