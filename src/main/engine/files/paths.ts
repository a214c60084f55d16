/**
 * Paths as a person types them: `~` means their home folder, links are resolved to the real
 * place, and what the file system says (missing, a file, permission denied) becomes a coded
 * error that names the path and says what to do.
 */
import { realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FILES_ERROR_CODES, isAcceptedTypedPath } from '../../../shared/api/files';
import { AppError, COMMON_ERROR_CODES } from '../../../shared/result';

/** `~` and `~/x` become the home folder and a path inside it; anything else is returned as is. */
export function expandHome(typed: string, home: string = os.homedir()): string {
  const text = typed.trim();
  if (text === '~') return home;
  if (text.startsWith('~/') || text.startsWith('~\\')) return path.join(home, text.slice(2));
  return text;
}

/**
 * A typed path made absolute: `~` expanded, `.` and `..` folded. A relative path is refused,
 * since it would resolve against the engine's working folder, which the person never chose.
 */
export function absoluteTypedPath(typed: string, home: string = os.homedir()): string {
  if (!isAcceptedTypedPath(typed.trim())) {
    throw new AppError(
      COMMON_ERROR_CODES.BAD_INPUT,
      `"${typed}" is a relative path: type an absolute path (/data/DRIVE) or start with ~ for your home folder (~/data/DRIVE).`,
    );
  }
  return path.resolve(expandHome(typed, home));
}

/** The coded error for a file-system failure on `target`, saying what to do. */
export function fileSystemError(
  target: string,
  error: unknown,
  action: 'read' | 'write' = 'read',
): AppError {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  if (code === 'ENOENT') {
    return new AppError(
      FILES_ERROR_CODES.NOT_FOUND,
      `${target} does not exist: check the spelling, or go up to a folder that exists and look there.`,
      { path: target },
    );
  }
  if (code === 'ENOTDIR') {
    return new AppError(
      FILES_ERROR_CODES.NOT_A_FOLDER,
      `${target} is a file, not a folder: choose the folder that holds it.`,
      { path: target },
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new AppError(
      FILES_ERROR_CODES.PERMISSION_DENIED,
      `Permission denied for ${target} (${code}): the app runs as your user, who may not ${action} there; fix its permissions (chmod u+rwx) or choose another folder.`,
      { path: target },
    );
  }
  return new AppError(
    FILES_ERROR_CODES.UNREADABLE,
    `${target} cannot be ${action === 'write' ? 'written' : 'read'} (${code}): ${(error as Error).message ?? 'unknown error'}. Choose another folder.`,
    { path: target },
  );
}

/** Where a typed path really is (links resolved) and what it is; throws the coded errors above. */
export async function resolveExisting(
  typed: string,
  home: string = os.homedir(),
): Promise<{ path: string; isFolder: boolean; isFile: boolean }> {
  const absolute = absoluteTypedPath(typed, home);
  try {
    const real = await realpath(absolute);
    const info = await stat(real);
    return { path: real, isFolder: info.isDirectory(), isFile: info.isFile() };
  } catch (error) {
    throw fileSystemError(absolute, error);
  }
}

/** A typed path that must be a folder: its real path, or FILES_NOT_A_FOLDER naming it. */
export async function resolveFolder(typed: string, home: string = os.homedir()): Promise<string> {
  const found = await resolveExisting(typed, home);
  if (!found.isFolder) {
    throw new AppError(
      FILES_ERROR_CODES.NOT_A_FOLDER,
      `${found.path} is a file, not a folder: choose the folder that holds it (${path.dirname(found.path)}).`,
      { path: found.path },
    );
  }
  return found.path;
}
