import { promises as fs } from 'node:fs';

/** True when `file` exists (a file or a folder, followed through links); never throws. */
export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
