/**
 * The child process of the lock and durability tests (forked with tsx). It opens a project and
 * then either holds it open (`hold`), creates it (`create`, over the dataset folder given) or keeps saving mask revisions and model weights (`save`),
 * telling the parent over IPC about each write only after the write's promise resolved, that is
 * after SQLite committed it. The parent kills it with SIGKILL at a moment of its choosing.
 */
import { createHash } from 'node:crypto';
import { discoverImages } from '../../../src/main/engine/project/discover';
import { createProject, openProject } from '../../../src/main/engine/project/open';
import { randomMask, tinyModelFiles } from './test-fixtures';

export type ChildMessage =
  | { type: 'loaded' }
  | { type: 'ready' }
  | { type: 'created' }
  | { type: 'revision'; id: number; sha256: string }
  | { type: 'model'; id: number; weightsSha256: string }
  | { type: 'error'; code: string; message: string };

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, () => resolve()));
}

async function main(): Promise<void> {
  const [mode, file, seedText] = process.argv.slice(2);
  // Started ahead of time by the durability test: load the code, then wait for the go-ahead
  // (the previous child may still hold the project).
  await send({ type: 'loaded' });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  if (mode === 'create') {
    // seedText is the dataset folder here: create the project over it, then report.
    const { images } = await discoverImages(seedText);
    const created = await createProject(file, { datasetRoot: seedText, images });
    await created.close();
    await send({ type: 'created' });
    return;
  }
  const project = await openProject(file).catch(
    async (error: { code?: string; message: string }) => {
      await send({ type: 'error', code: error.code ?? 'UNKNOWN', message: error.message });
      process.exit(3);
    },
  );
  await send({ type: 'ready' });
  if (mode === 'hold') {
    // An IPC channel without 'message' listeners does not keep Node alive: wait on a timer.
    setInterval(() => undefined, 60_000);
    return;
  }
  const seed = Number(seedText);
  const [image] = await project.listImages();
  for (let n = 0; ; n++) {
    if (n % 2 === 1) {
      // Weights of a realistic size for a small U-Net shard, different every time.
      const weights = new Uint8Array(256 * 1024);
      for (let i = 0; i < weights.length; i += 4096) weights[i] = (n * 31 + i + seed) & 0xff;
      const version = await project.addModelVersion({
        name: `v${n}`,
        config: { n },
        files: tinyModelFiles(weights),
        backend: 'cpu',
      });
      await send({
        type: 'model',
        id: version.id,
        weightsSha256: createHash('sha256').update(weights).digest('hex'),
      });
    } else {
      const revision = await project.saveMaskRevision(image.key, {
        kind: 'binary',
        ...randomMask(565, 584, seed * 1000 + n),
      });
      await send({ type: 'revision', id: revision.id, sha256: revision.sha256 });
    }
  }
}

void main();
