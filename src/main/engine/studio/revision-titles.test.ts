import { describe, expect, it } from 'vitest';
import { loadLabel } from '../dataset';
import { useStudioScratch } from '../../../../test/support/studio-test-setup';
import { Corrections } from './corrections';
import { ImageServing } from './image-serving';
import { maskPng } from './png';
import { maskChange, revisionTitle, titleRevisions } from './revision-titles';

const scratch = useStudioScratch('studio-revision-titles');

describe('revisionTitle', () => {
  const none = { painted: 0, erased: 0, matchesLabel: false, restoredFrom: null };

  it('names a revision by what it changed', () => {
    expect(revisionTitle({ ...none, painted: 312 })).toBe('Painted vessel, 312 px');
    expect(revisionTitle({ ...none, erased: 40 })).toBe('Erased 40 px');
    expect(revisionTitle({ ...none, painted: 1200, erased: 3 })).toBe(
      'Painted 1,200 px, erased 3 px',
    );
    expect(revisionTitle({ ...none, erased: 52, matchesLabel: true })).toBe(
      'Cleared corrections, 52 px',
    );
    expect(revisionTitle(none)).toBe('No change');
    expect(revisionTitle({ ...none, restoredFrom: 7 })).toBe('Restored revision 7');
    expect(revisionTitle({ ...none, restoredFrom: 7, painted: 2, erased: 3 })).toBe(
      'Restored revision 7, 5 px changed',
    );
  });
});

describe('maskChange', () => {
  it('counts pixels turned on and off', () => {
    const before = Uint8Array.from([0, 1, 1, 0, 1]);
    const after = Uint8Array.from([1, 1, 0, 1, 1]);
    expect(maskChange(before, after)).toEqual({ painted: 2, erased: 1 });
    expect(maskChange(after, after)).toEqual({ painted: 0, erased: 0 });
  });
});

describe('titleRevisions', () => {
  it('titles saved revisions from their pixels against the mask before them', async () => {
    const opened = await scratch.open('titles');
    const images = new ImageServing(opened.dataset);
    const corrections = new Corrections(opened.project, images);
    const id = 'test/01_test';
    const entry = images.entry(id);
    const label = await loadLabel(entry, '1st');
    const png = (mask: Uint8Array) => maskPng(mask, entry.width, entry.height);

    // Paint 10 background pixels, then erase 4 of them, then go back to the label.
    const background = [...label.keys()].filter((i) => label[i] === 0).slice(0, 10);
    const painted = label.slice();
    for (const i of background) painted[i] = 1;
    const erased = painted.slice();
    for (const i of background.slice(0, 4)) erased[i] = 0;
    const r1 = await corrections.saveMask(id, await png(painted), null, 'autosave');
    const r2 = await corrections.saveMask(id, await png(erased), r1.id, 'autosave');
    const r3 = await corrections.saveMask(id, await png(label), r2.id, 'autosave');
    const restored = await corrections.restoreRevision(id, r1.id);

    const titled = await titleRevisions(opened.project, entry, await corrections.revisions(id));
    expect(titled.map((r) => [r.id, r.title])).toEqual([
      [restored.revision.id, `Restored revision ${r1.id}, 10 px changed`],
      [r3.id, 'Cleared corrections, 6 px'],
      [r2.id, 'Erased 4 px'],
      [r1.id, 'Painted vessel, 10 px'],
    ]);
    // A single revision is titled the same on its own (as a save answers).
    const [alone] = await titleRevisions(opened.project, entry, [r2]);
    expect(alone?.title).toBe('Erased 4 px');
  });
});
