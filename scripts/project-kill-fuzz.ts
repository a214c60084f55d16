/**
 * Kill fuzz of the project file: a child process saves mask revisions and model versions
 * (acknowledging each only after SQLite committed it) and is SIGKILLed at a random moment, N
 * times over one project; after every kill the file must open, pass PRAGMA integrity_check and
 * hold every acknowledged write with its SHA-256. Prints one JSON line with the figures (the
 * README's reliability section cites them); exits 1 when anything acknowledged was lost.
 *
 *   npx tsx scripts/project-kill-fuzz.ts [--kills 50] [--max-delay-ms 25]
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createProject, openProject } from '../src/main/engine/project';
import { sha256Hex } from '../src/main/engine/project/files';
import {
  startCrashTestChild,
  type CrashTestChild,
} from '../test/support/project/crash-test-process';
import { temporaryFolder, writeDriveLikeDataset } from '../test/support/project/test-fixtures';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string', default: '50' },
      'max-delay-ms': { type: 'string', default: '25' },
    },
  });
  const kills = Number(values.kills);
  const maxDelayMs = Number(values['max-delay-ms']);
  const dir = temporaryFolder('vessel-kill-fuzz-');
  const started = Date.now();
  try {
    const root = path.join(dir, 'DRIVE');
    const images = await writeDriveLikeDataset(root, 1);
    const file = path.join(dir, 'fuzz.vessel');
    await (await createProject(file, { datasetRoot: root, images })).close();

    const revisions = new Map<number, string>();
    const models = new Map<number, string>();
    const lost: string[] = [];
    const integrityFailures: string[] = [];
    let next: CrashTestChild = startCrashTestChild('save', file, 1, true);
    for (let round = 0; round < kills; round++) {
      const child = next;
      await child.next('loaded');
      child.go();
      const ready = await child.next('ready');
      if (ready.type !== 'ready') throw new Error(`child could not open: ${JSON.stringify(ready)}`);
      if (round + 1 < kills) next = startCrashTestChild('save', file, round + 2, true);
      await child.acknowledged(round % 4);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * (maxDelayMs + 1))));
      await child.kill();
      for (const m of child.messages) {
        if (m.type === 'revision') revisions.set(m.id, m.sha256);
        if (m.type === 'model') models.set(m.id, m.weightsSha256);
      }
      const project = await openProject(file);
      try {
        const check = await project.integrityCheck();
        if (check.join() !== 'ok') integrityFailures.push(`kill ${round}: ${check.join('; ')}`);
        const stored = new Map((await project.listMaskRevisions()).map((r) => [r.id, r.sha256]));
        for (const [id, sha] of revisions)
          if (stored.get(id) !== sha) lost.push(`revision ${id} (kill ${round})`);
        for (const [id, sha] of models) {
          const files = await project.readModelFiles(id).catch(() => null);
          if (!files || sha256Hex(files['weights.bin']) !== sha)
            lost.push(`model ${id} (kill ${round})`);
        }
        for (const damaged of await project.verifyBlobs())
          integrityFailures.push(`kill ${round}: ${JSON.stringify(damaged)}`);
      } finally {
        await project.close();
      }
    }
    const result = {
      kills,
      maxDelayMs,
      acknowledgedRevisions: revisions.size,
      acknowledgedModelVersions: models.size,
      lost: [...new Set(lost)],
      integrityFailures,
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.lost.length > 0 || integrityFailures.length > 0) process.exitCode = 1;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

void main();
