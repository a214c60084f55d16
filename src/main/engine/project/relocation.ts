/**
 * Finding a moved dataset again: every file the project lists is looked for by size and SHA-256
 * under the new folder, so renamed and restructured folders still match, and the folder
 * becomes the new dataset root.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/result';
import type { ProjectDatabase } from './database';
import { hashFile, listFilesRecursively, resolveUnderRoot } from './files';
import { setDatasetRoot } from './meta';
import { PROJECT_ERROR_CODES as CODES, type ImageFileRole, type RelocationReport } from './types';

/** An image file as the project lists it. */
interface ListedFile {
  image_id: number;
  key: string;
  role: ImageFileRole;
  rel_path: string;
  size: number;
  sha256: string;
}

/** A new path for one image file. */
interface PathUpdate {
  imageId: number;
  role: ImageFileRole;
  relPath: string;
}

/**
 * Finds the images again under `folder`. Where one content appears more than once (identical
 * FOV masks), the path sharing the longest tail with the old path wins. Files not found are
 * reported and keep their path; when none is found nothing changes.
 */
export async function relocate(
  database: ProjectDatabase,
  folder: string,
): Promise<RelocationReport> {
  const root = path.resolve(folder);
  const stat = await fs.stat(root).catch(() => null);
  if (!stat?.isDirectory())
    throw new AppError(
      CODES.BAD_INPUT,
      `${root} is not a folder; point to the moved dataset folder.`,
    );
  const wanted = await database.read((db) =>
    db.all<ListedFile>(
      'SELECT f.image_id, i.key, f.role, f.rel_path, f.size, f.sha256 FROM image_files f JOIN images i ON i.id = f.image_id',
    ),
  );
  const byHash = await pathsByHash(root, new Set(wanted.map((w) => w.size)));
  const { report, updates } = matchFiles(root, wanted, byHash);
  if (report.found > 0) {
    await database.write(async (db) => {
      await setDatasetRoot(db, root);
      for (const u of updates) {
        await db.run('UPDATE image_files SET rel_path = ? WHERE image_id = ? AND role = ?', [
          u.relPath,
          u.imageId,
          u.role,
        ]);
      }
    });
  }
  return report;
}

/** Root-relative paths of the files under `root` by SHA-256, hashing only files of a wanted size. */
async function pathsByHash(root: string, sizes: Set<number>): Promise<Map<string, string[]>> {
  const byHash = new Map<string, string[]>();
  for (const rel of await listFilesRecursively(root)) {
    const fileStat = await fs.stat(resolveUnderRoot(root, rel)).catch(() => null);
    if (!fileStat || !sizes.has(fileStat.size)) continue;
    const { sha256 } = await hashFile(resolveUnderRoot(root, rel));
    byHash.set(sha256, [...(byHash.get(sha256) ?? []), rel]);
  }
  return byHash;
}

/** Picks a found path for each listed file and counts what was found, moved and missing. */
function matchFiles(
  root: string,
  wanted: ListedFile[],
  byHash: Map<string, string[]>,
): { report: RelocationReport; updates: PathUpdate[] } {
  // A found file serves one old path: two images with identical files (DRIVE's FOV masks can
  // be) must not both take one copy, but images that shared one file keep sharing it.
  const taken = new Map<string, string>();
  const updates: PathUpdate[] = [];
  const report: RelocationReport = { root, found: 0, moved: 0, missing: [] };
  for (const w of wanted) {
    const candidates = (byHash.get(w.sha256) ?? []).filter(
      (c) => (taken.get(c) ?? w.rel_path) === w.rel_path,
    );
    if (candidates.length === 0) {
      report.missing.push({ imageKey: w.key, role: w.role, relPath: w.rel_path });
      continue;
    }
    const best = candidates.reduce((a, b) =>
      sharedTail(b, w.rel_path) > sharedTail(a, w.rel_path) ? b : a,
    );
    taken.set(best, w.rel_path);
    report.found++;
    if (best !== w.rel_path) report.moved++;
    updates.push({ imageId: w.image_id, role: w.role, relPath: best });
  }
  return { report, updates };
}

/** How many trailing path segments two `/` paths share. */
function sharedTail(a: string, b: string): number {
  const x = a.split('/').reverse();
  const y = b.split('/').reverse();
  let n = 0;
  while (n < x.length && n < y.length && x[n] === y[n]) n++;
  return n;
}
