import { describe, expect, it } from 'vitest';
import { MaskDocument, UNDO_LIMIT } from './mask-document';
import { discFootprint, footprintPixels } from './raster';

function setPixels(doc: MaskDocument): Set<string> {
  const out = new Set<string>();
  doc.data.forEach((v, i) => {
    if (v) out.add(`${i % doc.width},${Math.floor(i / doc.width)}`);
  });
  return out;
}

describe('MaskDocument strokes', () => {
  it('a click paints exactly the footprint and is one undo step', () => {
    const doc = new MaskDocument(20, 10);
    doc.beginStroke(1, 5);
    const rect = doc.strokeTo(8, 4);
    const step = doc.endStroke();
    const expected = new Set(footprintPixels(discFootprint(5), 8, 4).map(([x, y]) => `${x},${y}`));
    expect(setPixels(doc)).toEqual(expected);
    expect(rect).toEqual({ x: 6, y: 2, width: 5, height: 5 });
    expect(step?.indices.length).toBe(21);
    expect(doc.undoDepth).toBe(1);
  });

  it('a drag stamps the footprint along the whole segment, clipped to the image', () => {
    const doc = new MaskDocument(10, 3);
    doc.beginStroke(1, 1);
    doc.strokeTo(-2, 1);
    doc.strokeTo(12, 1);
    doc.endStroke();
    expect([...doc.data].join('')).toBe('000000000011111111110000000000');
    expect(doc.undoDepth).toBe(1);
  });

  it('the eraser clears, and a stroke that changes nothing records no step', () => {
    const doc = new MaskDocument(4, 4, new Uint8Array(16).fill(1));
    doc.beginStroke(0, 2);
    doc.strokeTo(1, 1);
    doc.endStroke();
    expect(doc.data.reduce((a, b) => a + b, 0)).toBe(12);
    doc.beginStroke(0, 2);
    doc.strokeTo(1, 1);
    expect(doc.endStroke()).toBeNull();
    expect(doc.undoDepth).toBe(1);
  });

  it('keeps the mask binary whatever the input', () => {
    const doc = new MaskDocument(3, 1, new Uint8Array([0, 255, 7]));
    expect([...doc.data]).toEqual([0, 1, 1]);
    expect(doc.replaceAll(new Uint8Array([255, 255, 0]), 'Revert')?.indices.length).toBe(2);
    expect([...doc.data]).toEqual([1, 1, 0]);
  });
});

describe('MaskDocument undo and redo', () => {
  it('undo restores the exact previous mask and redo reapplies it', () => {
    const doc = new MaskDocument(30, 30);
    doc.beginStroke(1, 7);
    doc.strokeTo(5, 5);
    doc.strokeTo(20, 12);
    doc.endStroke();
    const afterFirst = Uint8Array.from(doc.data);
    doc.beginStroke(0, 3);
    doc.strokeTo(10, 8);
    doc.strokeTo(10, 20);
    doc.endStroke();
    const afterSecond = Uint8Array.from(doc.data);
    doc.undo();
    expect(doc.data).toEqual(afterFirst);
    doc.undo();
    expect(doc.data.every((v) => v === 0)).toBe(true);
    expect(doc.undo()).toBeNull();
    doc.redo();
    doc.redo();
    expect(doc.data).toEqual(afterSecond);
    expect(doc.redo()).toBeNull();
  });

  it('a new change clears the redo stack', () => {
    const doc = new MaskDocument(5, 5);
    doc.fillAt(0, 0, 1);
    doc.undo();
    expect(doc.canRedo).toBe(true);
    doc.beginStroke(1, 1);
    doc.strokeTo(2, 2);
    doc.endStroke();
    expect(doc.canRedo).toBe(false);
  });

  it(`keeps at least 100 steps (the last ${UNDO_LIMIT}) per document`, () => {
    const doc = new MaskDocument(300, 2);
    for (let i = 0; i < UNDO_LIMIT + 20; i++) {
      doc.beginStroke(1, 1);
      doc.strokeTo(i, 0);
      doc.endStroke();
    }
    expect(UNDO_LIMIT).toBeGreaterThanOrEqual(100);
    expect(doc.undoDepth).toBe(UNDO_LIMIT);
    for (let i = 0; i < UNDO_LIMIT; i++) expect(doc.undo()).not.toBeNull();
    expect(doc.undo()).toBeNull();
    // The 20 oldest strokes could not be undone and remain.
    expect(doc.data.reduce((a, b) => a + b, 0)).toBe(20);
  });

  it('stores diffs, not whole masks', () => {
    const doc = new MaskDocument(3504, 2336);
    doc.beginStroke(1, 3);
    doc.strokeTo(100, 100);
    const step = doc.endStroke()!;
    expect(step.indices.length).toBe(9);
    expect(step.after.byteLength).toBe(9);
  });

  it('tracks versions for autosave', () => {
    const doc = new MaskDocument(4, 4);
    expect(doc.dirty).toBe(false);
    doc.fillAt(0, 0, 1);
    expect(doc.dirty).toBe(true);
    doc.markSaved(doc.version, 12);
    expect(doc.dirty).toBe(false);
    expect(doc.revisionId).toBe(12);
    doc.undo();
    expect(doc.dirty).toBe(true);
  });
});

describe('MaskDocument fill, polygon, replace', () => {
  it('fills an enclosed hole and undoes it in one step', () => {
    const rows = ['#####', '#..##', '#####'];
    const data = new Uint8Array(
      rows
        .join('')
        .split('')
        .map((c) => (c === '#' ? 1 : 0)),
    );
    const doc = new MaskDocument(5, 3, data);
    const step = doc.fillAt(2, 1, 1);
    expect(step?.indices.length).toBe(2);
    expect(doc.data.every((v) => v === 1)).toBe(true);
    expect(doc.fillAt(2, 1, 1)).toBeNull();
    doc.undo();
    expect(doc.data).toEqual(data);
  });

  it('fills a polygon and reports the changed rectangle', () => {
    const doc = new MaskDocument(10, 10);
    const seen: unknown[] = [];
    doc.onChange((r) => seen.push(r));
    doc.fillPolygon(
      [
        { x: 2, y: 2 },
        { x: 6, y: 2 },
        { x: 6, y: 5 },
      ],
      1,
    );
    expect(doc.data.reduce((a, b) => a + b, 0)).toBeGreaterThan(3);
    expect(seen).toHaveLength(1);
  });

  it('replaceAll records only changed pixels', () => {
    const doc = new MaskDocument(4, 1, new Uint8Array([1, 0, 1, 0]));
    const step = doc.replaceAll(new Uint8Array([1, 1, 1, 1]), 'Revert to ground truth');
    expect([...step!.indices]).toEqual([1, 3]);
    expect(step!.rect).toEqual({ x: 1, y: 0, width: 3, height: 1 });
    doc.undo();
    expect([...doc.data]).toEqual([1, 0, 1, 0]);
  });
});
