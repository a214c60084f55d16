import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/result';
import { MODEL_ERROR_CODES } from '../../../shared/api/errors';
import { MODEL_FILES, writeModelFolder } from './files';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vessel-write-folder-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a one-file model folder whose description reads `text`. */
function describing(text: string) {
  return async (staging: string): Promise<void> => {
    await mkdir(staging);
    await writeFile(path.join(staging, MODEL_FILES.meta), text);
  };
}

async function metaAt(target: string): Promise<string> {
  return readFile(path.join(target, MODEL_FILES.meta), 'utf8');
}

describe('writeModelFolder', () => {
  it('writes a new folder, creating its parents, and leaves nothing beside it', async () => {
    const target = path.join(dir, 'nested', 'model');
    await writeModelFolder(target, 'the model', describing('first'));
    expect(await metaAt(target)).toBe('first');
    expect(await readdir(path.join(dir, 'nested'))).toEqual(['model']);
  });

  it('replaces a model already there, with no staging or previous folder left', async () => {
    const target = path.join(dir, 'model');
    await writeModelFolder(target, 'the model', describing('first'));
    await writeFile(path.join(target, 'stale.txt'), 'of the old model');
    await writeModelFolder(target, 'the model', describing('second'));
    expect(await metaAt(target)).toBe('second');
    expect(await readdir(target)).toEqual([MODEL_FILES.meta]);
    expect(await readdir(dir)).toEqual(['model']);
  });

  it('keeps the previous model untouched when writing fails, and says what and where', async () => {
    const target = path.join(dir, 'model');
    await writeModelFolder(target, 'the model', describing('kept'));
    const failing = async (staging: string): Promise<void> => {
      await describing('half')(staging);
      throw new Error('disk full');
    };
    const error = await writeModelFolder(target, 'the averaged model', failing).catch((e) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(MODEL_ERROR_CODES.SAVE_FAILED);
    expect((error as AppError).message).toBe(
      `Cannot save the averaged model to ${target}: disk full`,
    );
    expect(await metaAt(target)).toBe('kept');
    expect(await readdir(dir)).toEqual(['model']);
  });

  it('passes an AppError from the writer on unchanged', async () => {
    const target = path.join(dir, 'model');
    const own = new AppError(MODEL_ERROR_CODES.CORRUPT, 'the weights are not finite');
    await expect(
      writeModelFolder(target, 'the model', () => Promise.reject(own)),
    ).rejects.toBe(own);
    expect(await readdir(dir)).toEqual([]);
  });
});
