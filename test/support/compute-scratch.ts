/**
 * A scratch folder for the compute tests that train or save models: tfjs set up on its default
 * backend, and a temporary folder made, before a test file's tests; the folder is removed after
 * them. Imports vitest, so tests only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { setupCompute } from '../../src/main/compute/setup';

/** A test file's scratch folder; `dir` is set once beforeAll has run. */
export interface ComputeScratch {
  readonly dir: string;
}

/** Registers setting up compute and making a folder named `prefix` + random before the tests. */
export function useComputeScratch(prefix: string): ComputeScratch {
  let dir = '';
  beforeAll(async () => {
    await setupCompute();
    dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
  };
}
