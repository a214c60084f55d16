/**
 * Scratch data for the studio's tests: a small DRIVE-like dataset written once per test file,
 * projects over it opened through openStudio and closed after each test, and a decoder for the
 * grey PNGs the studio serves. Imports vitest, so tests only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  openStudio,
  type OpenedStudio,
  type OpenStudioOptions,
} from '../../src/main/engine/studio/open';
import { writeTestDataset } from '../../src/main/engine/studio/test-dataset';
import { addTinyModelWithPredictions } from '../../src/main/compute/model/test-model';

/** A test file's scratch folder and dataset; the fields are set once beforeAll has run. */
export interface StudioScratch {
  /** The temporary folder, removed after the file's tests. */
  readonly dir: string;
  /** The dataset folder (64x48 images, two per split). */
  readonly root: string;
  /** The dataset's image ids, in the order they were written. */
  readonly ids: string[];
  /**
   * Opens the dataset with the project file `name` in the scratch folder, closed after the test;
   * `more` overrides any option (datasetPath: undefined opens the project alone).
   */
  open(name: string, more?: Partial<OpenStudioOptions>): Promise<OpenedStudio>;
  /** Opens a project `name` that holds the tiny model and its prediction of every image. */
  openWithTinyModel(name: string): Promise<OpenedStudio & { modelId: number }>;
}

/** Registers writing the dataset before and removing the folder after a file's tests. */
export function useStudioScratch(prefix: string): StudioScratch {
  let dir = '';
  let ids: string[] = [];
  const opened: OpenedStudio[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
    ids = await writeTestDataset(path.join(dir, 'DRIVE'));
  });
  afterEach(async () => {
    for (const o of opened.splice(0)) await o.project.close().catch(() => undefined);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const scratch: StudioScratch = {
    get dir() {
      return dir;
    },
    get root() {
      return path.join(dir, 'DRIVE');
    },
    get ids() {
      return ids;
    },
    async open(name, more = {}) {
      const projectPath = path.join(dir, `${name}.vessel`);
      const o = await openStudio({
        datasetPath: scratch.root,
        projectPath,
        appVersion: '0',
        ...more,
      });
      opened.push(o);
      return o;
    },
    async openWithTinyModel(name) {
      const modelId = await addTinyModelWithPredictions(
        path.join(dir, `${name}.vessel`),
        scratch.root,
      );
      return { ...(await scratch.open(name)), modelId };
    },
  };
  return scratch;
}

/** Decodes a PNG to one grey channel (the first of each pixel). */
export async function decodeGrey(
  png: Uint8Array,
): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const grey = new Uint8Array(info.width * info.height);
  for (let i = 0; i < grey.length; i++) grey[i] = data[i * info.channels]!;
  return { width: info.width, height: info.height, data: grey };
}
