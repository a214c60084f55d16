/**
 * Kills a child process with SIGKILL at random moments while it saves mask revisions and model
 * weights, many times over one project file, and checks after every kill that the file opens,
 * passes PRAGMA integrity_check and holds every write the child was told had committed.
 */
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './files';
import {
  startCrashTestChild,
  type CrashTestChild,
} from '../../../../test/support/project/crash-test-process';
import { openProject } from './open';
import { useScratchProjects } from '../../../../test/support/project/project-test-setup';

const KILLS = 12;
const { newProjectFile } = useScratchProjects();

describe('durability under SIGKILL', () => {
  it(`keeps every acknowledged revision and model version across ${KILLS} random kills`, async () => {
    const file = await newProjectFile();

    const acknowledgedRevisions = new Map<number, string>();
    const acknowledgedModels = new Map<number, string>();
    const killDelays: string[] = [];
    // The next child loads its code while the current one writes: tsx start-up dominates otherwise.
    let next: CrashTestChild = startCrashTestChild('save', file, 1, true);
    for (let round = 0; round < KILLS; round++) {
      const child = next;
      await child.next('loaded');
      child.go();
      const ready = await child.next('ready');
      expect(ready).toEqual({ type: 'ready' });
      if (round + 1 < KILLS) next = startCrashTestChild('save', file, round + 2, true);
      // A random moment inside the write stream: after 0-3 acknowledged writes (cycling, so
      // every count occurs), plus a random 0-25 ms: one revision takes a few ms and a model
      // version more, so the kill lands inside a write, at a different point each time.
      const writes = round % 4;
      const delay = Math.floor(Math.random() * 26);
      killDelays.push(`${writes}+${delay}ms`);
      await child.acknowledged(writes);
      await new Promise((r) => setTimeout(r, delay));
      await child.kill();
      for (const m of child.messages) {
        if (m.type === 'revision') acknowledgedRevisions.set(m.id, m.sha256);
        if (m.type === 'model') acknowledgedModels.set(m.id, m.weightsSha256);
      }

      const project = await openProject(file);
      try {
        expect(await project.integrityCheck()).toEqual(['ok']);
        const stored = new Map((await project.listMaskRevisions()).map((r) => [r.id, r.sha256]));
        for (const [id, sha] of acknowledgedRevisions)
          expect(stored.get(id), `revision ${id} after kill ${round}`).toBe(sha);
        for (const [id, sha] of acknowledgedModels) {
          const files = await project.readModelFiles(id);
          expect(sha256Hex(files['weights.bin']), `model ${id} after kill ${round}`).toBe(sha);
        }
        // Every stored revision is whole: it decodes to the full mask size.
        const latest = (await project.listMaskRevisions()).at(-1);
        if (latest)
          expect((await project.loadMaskRevision(latest.id)).mask.data.length).toBe(565 * 584);
      } finally {
        await project.close();
      }
    }
    // Rounds waited for 0+1+2+3 acknowledgements in turn; the child alternates revision, model.
    const waitedFor = Array.from({ length: KILLS }, (_, r) => r % 4).reduce((a, b) => a + b, 0);
    expect(acknowledgedRevisions.size + acknowledgedModels.size).toBeGreaterThanOrEqual(waitedFor);
    expect(acknowledgedModels.size).toBeGreaterThanOrEqual(KILLS / 2);
    console.log(
      `durability: ${KILLS} kills after ${killDelays.join(', ')}; ${acknowledgedRevisions.size} revisions and ${acknowledgedModels.size} model versions acknowledged, all present`,
    );
  }, 120_000);
});
