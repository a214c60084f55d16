/** File facts the project records: size and SHA-256, and dataset-relative paths with `/`. */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/result';
import { PROJECT_ERROR_CODES } from './types';

/** SHA-256 (hex) of bytes in memory. */
export function sha256Hex(bytes: ArrayBufferView): string {
  return createHash('sha256')
    .update(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    .digest('hex');
}

/** Size and SHA-256 of a file, streamed so large files do not sit in memory. */
export async function hashFile(file: string): Promise<{ size: number; sha256: string }> {
  try {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { size, sha256: hash.digest('hex') };
  } catch (error) {
    throw new AppError(
      PROJECT_ERROR_CODES.IMAGE_FILE_UNREADABLE,
      `Cannot read ${file} (${(error as Error).message}); check that the dataset folder is there and readable.`,
    );
  }
}

/** `file` relative to `root` with `/` separators; refuses files outside the root. */
export function relativeToRoot(root: string, file: string): string {
  const rel = path.relative(root, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new AppError(
      PROJECT_ERROR_CODES.FILE_OUTSIDE_ROOT,
      `${file} is not inside the dataset folder ${root}; keep every image file under the dataset root.`,
    );
  }
  return rel.split(path.sep).join('/');
}

/** The absolute path of a root-relative `/` path on this platform. */
export function resolveUnderRoot(root: string, relPath: string): string {
  return path.join(root, ...relPath.split('/'));
}

/** Every regular file under `dir` (following no symlinks), relative with `/` separators. */
export async function listFilesRecursively(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string, prefix: string): Promise<void> => {
    const entries = await fs.readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path.join(current, entry.name), rel);
      else if (entry.isFile()) out.push(rel);
    }
  };
  await walk(dir, '');
  return out.sort();
}
