/**
 * The desktop shell's part of the contract: menu commands and handed-over files reach the
 * renderer as events, native dialogs and recent files are requests. In browser mode and the
 * CLI there is no shell: the engine answers these requests with SHELL_DESKTOP_ONLY.
 */
import { z } from 'zod';
import { event, request } from './define';
import { codesOf, DIALOG_ERROR_CODES, SHELL_ERROR_CODES } from './errors';

/** Every command the application menu can send to the renderer. */
export const MENU_COMMANDS = [
  'project.new',
  'project.open',
  'dataset.openFolder',
  'export',
  'edit.undo',
  'edit.redo',
  'view.layer.image',
  'view.layer.groundTruth',
  'view.layer.prediction',
  'view.layer.corrections',
  'view.layer.errors',
  'view.zoomIn',
  'view.zoomOut',
  'view.zoomFit',
  'view.zoomActual',
  'help.shortcuts',
] as const;

export type MenuCommand = (typeof MENU_COMMANDS)[number];

/**
 * A menu command. Commands that open something carry the path the person chose in main's
 * native dialog (or from Open Recent), so the renderer only has to call the contract with it.
 */
export const menuCommandEventSchema = z
  .object({
    command: z.enum(MENU_COMMANDS),
    path: z.string().min(1).optional(),
  })
  .strict();
export type MenuCommandEvent = z.infer<typeof menuCommandEventSchema>;

/**
 * What a file dialog is for: main picks the title, the filters and whether folders are chosen.
 * `export-folder` chooses (or creates) the folder an export writes its new subfolder into.
 * Each list is declared as the schema the dialog requests validate with; the list and its type
 * come from that schema.
 */
const openPurposeSchema = z.enum(['project', 'dataset', 'model', 'image', 'export-folder']);
export const OPEN_PURPOSES = openPurposeSchema.options;
export type OpenPurpose = z.infer<typeof openPurposeSchema>;
const savePurposeSchema = z.enum(['project', 'metrics-csv', 'chart-png', 'chart-svg', 'mask-png']);
export const SAVE_PURPOSES = savePurposeSchema.options;
export type SavePurpose = z.infer<typeof savePurposeSchema>;

/** The chosen absolute path, or nothing when the person cancelled. */
export type DialogResult = { canceled: true; path: null } | { canceled: false; path: string };

export interface RecentFiles {
  /** Most recent first, at most ten, only files that still existed when listed. */
  paths: string[];
}

/** A file name without folders: the renderer suggests a name, never where to write. */
const fileName = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => !/[\\/]/.test(name) && name !== '.' && name !== '..', {
    message: 'must be a file name without folders',
  });

export const shellRequests = {
  'shell.openDialog': request<DialogResult>()(
    z.object({ purpose: openPurposeSchema }).strict(),
    'Shows the native open dialog for a project file, a dataset folder, a model folder or an image.',
    { errors: [SHELL_ERROR_CODES.DESKTOP_ONLY, ...codesOf(DIALOG_ERROR_CODES)] },
  ),
  'shell.saveDialog': request<DialogResult>()(
    z.object({ purpose: savePurposeSchema, suggestedName: fileName.optional() }).strict(),
    'Shows the native save dialog; the path returned carries the extension of its purpose.',
    {
      errors: [
        SHELL_ERROR_CODES.DESKTOP_ONLY,
        DIALOG_ERROR_CODES.INVALID,
        DIALOG_ERROR_CODES.BAD_PATH,
        DIALOG_ERROR_CODES.NOT_FOUND,
      ],
    },
  ),
  'shell.recentFiles': request<RecentFiles>()(
    z.object({}).strict().default({}),
    'The recently opened project files, most recent first.',
    { errors: [SHELL_ERROR_CODES.DESKTOP_ONLY] },
  ),
  'shell.takeOpenedFiles': request<{ paths: string[] }>()(
    z.object({}).strict().default({}),
    'The .vessel files handed to the app before the page listened (double-click at launch); each is returned once.',
  ),
  'shell.addRecentFile': request<RecentFiles>()(
    z.object({ path: z.string().min(1) }).strict(),
    'Records a project file as opened (File > Open Recent and the OS recent list).',
    { errors: [SHELL_ERROR_CODES.DESKTOP_ONLY, SHELL_ERROR_CODES.RECENT_NOT_PROJECT] },
  ),
};

export const shellEvents = {
  'shell.menu': event<MenuCommandEvent>('A command chosen in the application menu.'),
  'shell.openFile': event<{ path: string }>(
    'A .vessel file handed to the app: double-clicked, dropped on the icon or given to a second launch.',
  ),
};
