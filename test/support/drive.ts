/**
 * Where tests, benchmarks and scripts find the real DRIVE set: VESSEL_DRIVE, else
 * ../shared/datasets/DRIVE beside the checkout. Tests that need it skip, saying why, where
 * it is absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The DRIVE folder: VESSEL_DRIVE (relative to the working folder), else beside the checkout. */
export function driveRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.VESSEL_DRIVE?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.resolve(repoRoot, '../shared/datasets/DRIVE');
}

/**
 * Whether DRIVE is there with the given subfolders (relative to its root); when not, logs
 * once why the caller skips.
 */
export function drivePresent(what: string, ...subfolders: string[]): boolean {
  const root = driveRoot();
  const missing = subfolders.filter((sub) => !existsSync(path.join(root, sub)));
  if (missing.length > 0) {
    console.log(
      `skipping ${what}: ${path.join(root, missing[0]!)} is absent (set VESSEL_DRIVE or see ../shared/datasets/README.md)`,
    );
  }
  return missing.length === 0;
}
