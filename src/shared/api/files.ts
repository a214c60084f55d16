/**
 * The files part of the contract: the engine's own folder browser (browser mode has no native
 * dialog), the recent projects of the first screen, where a dataset's project will be written,
 * and exporting the open project's masks, metrics or a model version into a new folder.
 * Every path a person types may start with `~` (their home folder); relative paths are refused,
 * because the engine's working folder means nothing to the person.
 */
import { z } from 'zod';
import { request } from './define';
import { codesOf, FILES_ERROR_CODES, MODEL_ERROR_CODES, PROJECT_ERROR_CODES } from './errors';

export { FILES_ERROR_CODES };

/** True for `/x`, `C:\x`, `\\server\share`, `~` and `~/x`: what the engine accepts as typed. */
export function isAcceptedTypedPath(text: string): boolean {
  return (
    text.startsWith('/') ||
    /^[A-Za-z]:[\\/]/.test(text) ||
    text.startsWith('\\\\') ||
    text === '~' ||
    text.startsWith('~/') ||
    text.startsWith('~\\')
  );
}

/** A path as a person types it: absolute, or starting with `~` for their home folder. */
export const typedPathSchema = z.string().trim().min(1).max(4096).refine(isAcceptedTypedPath, {
  message:
    'must be an absolute path (/data/DRIVE) or start with ~ for your home folder (~/data/DRIVE); relative paths are not accepted because the server\u2019s working folder is not yours',
});

/** Dataset layouts the engine recognises (the `layout` of StudioSessionInfo). */
export type DatasetLayoutName = 'drive' | 'stare' | 'chase' | 'hrf' | 'generic';

/** How the UI names each layout. */
export const LAYOUT_LABELS: Record<DatasetLayoutName, string> = {
  drive: 'DRIVE',
  stare: 'STARE',
  chase: 'CHASE_DB1',
  hrf: 'HRF',
  generic: 'images/labels',
};

/** One entry of a folder listing: a subfolder (maybe a dataset) or a .vessel project file. */
export interface FolderEntry {
  name: string;
  /** Absolute path: inside the listed folder, or for a link the real place it points to. */
  path: string;
  kind: 'folder' | 'project';
  /** The entry is a symbolic link (to a folder, or to a .vessel file). */
  link: boolean;
  /**
   * For a folder: the dataset layout found by file names alone (nothing is decoded), with the
   * number of images it pairs; null when it holds no dataset or was not checked (see `checked`).
   */
  dataset: { layout: DatasetLayoutName; images: number } | null;
  /** False when the listing stopped checking folders for datasets (very large folders). */
  checked: boolean;
}

/** A starting point of the folder browser. */
export interface FolderPlace {
  kind: 'home' | 'projects' | 'recent' | 'root';
  label: string;
  path: string;
}

export interface FolderListing {
  /** The listed folder, `~` expanded and links resolved. */
  path: string;
  /** Its parent, or null at the root of the file system. */
  parent: string | null;
  /** Subfolders then project files, each group sorted by name; hidden entries left out. */
  entries: FolderEntry[];
  /** The listed folder itself holds a dataset (found the same way as its entries'). */
  dataset: { layout: DatasetLayoutName; images: number } | null;
  places: FolderPlace[];
  /** The person's home folder, so the UI can show paths as `~/…`. */
  home: string;
}

/** What a typed path is, once `~` is expanded and links are resolved. */
export interface ResolvedPath {
  path: string;
  kind: 'folder' | 'project' | 'file';
  dataset: { layout: DatasetLayoutName; images: number } | null;
}

/** A project that was opened, for the first screen. */
export interface RecentProject {
  projectFile: string;
  datasetRoot: string;
  layout: string;
  imageCount: number;
  /** When it was last opened (ISO 8601). */
  openedAt: string;
  projectExists: boolean;
  datasetExists: boolean;
}

export const EXPORT_KINDS = ['masks', 'metrics', 'model'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** What an export wrote. */
export interface FilesExport {
  kind: ExportKind;
  /** The new folder it made, absolute. */
  dir: string;
  /** Every file written, relative to `dir`. */
  files: string[];
  /** Corrected masks that could not be read back (damaged) and were left out. */
  damaged: { imageKey: string; revisionId: number; message: string }[];
}

export const filesRequests = {
  'files.list': request<FolderListing>()(
    z.object({ path: typedPathSchema.optional() }).strict(),
    'Lists a folder (default: the home folder): its subfolders, marked with the dataset layout ' +
      'they hold, and its .vessel files; plus the places to start from (home, recent, projects).',
    { errors: codesOf(FILES_ERROR_CODES) },
  ),
  'files.resolve': request<ResolvedPath>()(
    z.object({ path: typedPathSchema }).strict(),
    'Expands ~, resolves links and says whether a typed path is a folder (and which dataset), a project or another file.',
    { errors: codesOf(FILES_ERROR_CODES) },
  ),
  'files.recentProjects': request<{ projects: RecentProject[] }>()(
    z.object({}).strict().default({}),
    'The projects opened lately, most recent first, each saying whether its file and dataset still exist.',
  ),
  'files.forgetRecentProject': request<{ projects: RecentProject[] }>()(
    z.object({ projectFile: z.string().min(1).max(4096) }).strict(),
    'Removes a project from the recent list (the file itself is not touched).',
    { errors: codesOf(FILES_ERROR_CODES) },
  ),
  'files.projectLocation': request<{ datasetRoot: string; projectFile: string; exists: boolean }>()(
    z.object({ datasetPath: typedPathSchema }).strict(),
    'Where opening this dataset folder keeps its project file, and whether that file exists yet.',
    { errors: codesOf(FILES_ERROR_CODES) },
  ),
  'files.export': request<FilesExport>()(
    z
      .object({
        kind: z.enum(EXPORT_KINDS),
        /** The folder to write into (a new subfolder is made in it); default: beside the project. */
        folder: typedPathSchema.optional(),
        /** The model version to export (kind `model`); default: the active one. */
        modelId: z.number().int().positive().optional(),
      })
      .strict(),
    'Exports the open project into a new subfolder: the corrected masks as PNG (masks), the ' +
      'evaluations as CSV, JSON and SVG plots (metrics), or one model version as a tfjs folder (model).',
    {
      errors: [
        ...codesOf(FILES_ERROR_CODES),
        ...codesOf(PROJECT_ERROR_CODES),
        ...codesOf(MODEL_ERROR_CODES),
      ],
    },
  ),
};
