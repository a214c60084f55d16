/** Where the app's files are (its package.json) and its version, for the CLI's commands. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The checkout (or app) root: the folder with package.json, found upward from this file. */
export function findAppRoot(start = here): string {
  let dir = start;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
      };
      if (pkg.name === 'vessel-studio') return dir;
    } catch {
      // not here: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

/** The app's version from its package.json, or 0.0.0 where that cannot be read. */
export function appVersion(root = findAppRoot()): string {
  try {
    return (
      JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return '0.0.0';
  }
}
