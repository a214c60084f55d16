/**
 * The folder browser's listing: a folder's subfolders (each marked with the dataset layout it
 * holds) and its .vessel project files. Datasets are found by file names alone, the same
 * detection `openDataset` starts with, and nothing is decoded, so a listing stays cheap; a
 * folder with very many subfolders has only the first DATASET_CHECK_LIMIT checked.
 */
import { existsSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type {
  FolderEntry,
  FolderListing,
  FolderPlace,
  ResolvedPath,
} from '../../../shared/api/files';
import { discoverLayout } from '../dataset/discover';
import { mapLimited } from '../dataset/map-limited';
import { projectsFolder } from '../studio/project-location';
import { fileSystemError, resolveExisting, resolveFolder } from './paths';

/** Subfolders checked for a dataset per listing; the rest are listed with `checked: false`. */
export const DATASET_CHECK_LIMIT = 200;
/** Checks running at once (each is a handful of readdir calls). */
const CHECK_CONCURRENCY = 8;

export const PROJECT_EXTENSION = '.vessel';

/** The dataset a folder holds, found by names only, or null (not a dataset, or unreadable). */
export async function detectDataset(folder: string): Promise<FolderEntry['dataset']> {
  try {
    const found = await discoverLayout(folder, false);
    const images = found.splits.reduce((sum, s) => sum + s.candidates.length, 0);
    return { layout: found.layout, images };
  } catch {
    return null;
  }
}

/** Where a link points and what is there; null for a broken link, a loop or a device. */
async function linkTarget(file: string): Promise<{ kind: 'folder' | 'file'; real: string } | null> {
  try {
    const real = await realpath(file);
    const info = await stat(real);
    if (info.isDirectory()) return { kind: 'folder', real };
    return info.isFile() ? { kind: 'file', real } : null;
  } catch {
    return null;
  }
}

/** Where the folder browser can start: home, recent dataset locations, projects, the root. */
export function folderPlaces(
  recentDatasetRoots: readonly string[],
  home: string = os.homedir(),
  env: NodeJS.ProcessEnv = process.env,
): FolderPlace[] {
  const places: FolderPlace[] = [{ kind: 'home', label: 'Home', path: home }];
  const seen = new Set([home]);
  for (const root of recentDatasetRoots) {
    // The folder that holds a recent dataset: its neighbours are likely what comes next.
    const parent = path.dirname(root);
    if (seen.has(parent) || !existsSync(parent)) continue;
    seen.add(parent);
    places.push({ kind: 'recent', label: path.basename(parent) || parent, path: parent });
    if (places.length >= 6) break;
  }
  const projects = projectsFolder(env);
  if (!seen.has(projects) && existsSync(projects)) {
    seen.add(projects);
    places.push({ kind: 'projects', label: 'Vessel Studio projects', path: projects });
  }
  const root = path.parse(home).root;
  if (!seen.has(root)) places.push({ kind: 'root', label: root, path: root });
  return places;
}

export interface ListFolderOptions {
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** Dataset roots opened lately, most recent first (for the places). */
  recentDatasetRoots?: readonly string[];
}

/**
 * Lists a typed folder (default: home): subfolders then .vessel files, sorted by name, hidden
 * entries left out, links followed (a link to a folder lists as a folder).
 */
export async function listFolder(
  typed: string | undefined,
  options: ListFolderOptions = {},
): Promise<FolderListing> {
  const home = options.home ?? os.homedir();
  const folder = await resolveFolder(typed ?? '~', home);
  let dirents;
  try {
    dirents = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    throw fileSystemError(folder, error);
  }
  const folders: Omit<FolderEntry, 'dataset' | 'checked'>[] = [];
  const projects: FolderEntry[] = [];
  for (const d of dirents) {
    if (d.name.startsWith('.')) continue;
    const link = d.isSymbolicLink();
    let full = path.join(folder, d.name);
    let kind: 'folder' | 'file' | null = d.isDirectory() ? 'folder' : d.isFile() ? 'file' : null;
    if (link) {
      const target = await linkTarget(full);
      kind = target?.kind ?? null;
      full = target?.real ?? full;
    }
    if (kind === 'folder') folders.push({ name: d.name, path: full, kind: 'folder', link });
    else if (kind === 'file' && d.name.toLowerCase().endsWith(PROJECT_EXTENSION)) {
      projects.push({
        name: d.name,
        path: full,
        kind: 'project',
        link,
        dataset: null,
        checked: true,
      });
    }
  }
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: 'base' });
  folders.sort(byName);
  projects.sort(byName);
  const checked = await mapLimited(
    folders.slice(0, DATASET_CHECK_LIMIT),
    CHECK_CONCURRENCY,
    (entry) => detectDataset(entry.path),
  );
  const entries: FolderEntry[] = folders.map((entry, i) => ({
    ...entry,
    dataset: i < checked.length ? (checked[i] ?? null) : null,
    checked: i < checked.length,
  }));
  const parent = path.dirname(folder);
  return {
    path: folder,
    parent: parent === folder ? null : parent,
    entries: [...entries, ...projects],
    dataset: await detectDataset(folder),
    places: folderPlaces(options.recentDatasetRoots ?? [], home, options.env),
    home,
  };
}

/** What a typed path is: a folder (with its dataset, if any), a .vessel project or another file. */
export async function resolveTypedPath(
  typed: string,
  home: string = os.homedir(),
): Promise<ResolvedPath> {
  const found = await resolveExisting(typed, home);
  if (found.isFolder) {
    return { path: found.path, kind: 'folder', dataset: await detectDataset(found.path) };
  }
  const project = found.isFile && found.path.toLowerCase().endsWith(PROJECT_EXTENSION);
  return { path: found.path, kind: project ? 'project' : 'file', dataset: null };
}
