import { describe, expect, it, vi } from 'vitest';
import { MaskDocument } from '../canvas/mask-document';
import {
  ALL_SPLITS,
  DocumentCache,
  imageSplits,
  INITIAL_LAYERS,
  needsPrediction,
  orderImages,
  Scene,
} from './scene';
import { fakeImage, summary } from './test-fixtures';

describe('scene layers', () => {
  it('lists every layer in the panel order with visibility and opacity', () => {
    const scene = new Scene();
    expect(scene.state.layers.map((l) => l.id)).toEqual([
      'image',
      'groundTruth',
      'prediction',
      'corrected',
      'errors',
      'uncertainty',
    ]);
    expect(scene.layer('uncertainty')).toMatchObject({ kind: 'uncertainty', visible: false });
    expect(needsPrediction('uncertainty')).toBe(true);
    expect(scene.layer('groundTruth')).toMatchObject({ visible: false, opacity: 0.6 });
  });

  it('toggles and fades one layer, keeping the order, and tells subscribers', () => {
    const scene = new Scene();
    const listener = vi.fn();
    scene.subscribe(listener);
    scene.toggleLayer('errors');
    scene.setLayerOpacity('prediction', 1.7);
    scene.setLayerOpacity('image', -1);
    expect(scene.layer('errors').visible).toBe(true);
    expect(scene.layer('prediction').opacity).toBe(1);
    expect(scene.layer('image').opacity).toBe(0);
    expect(scene.state.layers.map((l) => l.id)).toEqual(INITIAL_LAYERS.map((l) => l.id));
    expect(listener).toHaveBeenCalledTimes(3);
    // The list is replaced, never mutated: React sees a new value.
    expect(INITIAL_LAYERS.find((l) => l.id === 'errors')!.visible).toBe(false);
  });

  it('unsubscribes', () => {
    const scene = new Scene();
    const listener = vi.fn();
    const off = scene.subscribe(listener);
    off();
    scene.toggleLayer('image');
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('scene display and tools', () => {
  it('clamps and rounds the threshold and the brush', () => {
    const scene = new Scene();
    scene.setThreshold(0.5 + 0.05);
    expect(scene.state.threshold).toBe(0.55);
    scene.setThreshold(1.3);
    expect(scene.state.threshold).toBe(1);
    scene.setBrushSize(0.2);
    expect(scene.state.brushSize).toBe(1);
    scene.setBrushSize(900);
    expect(scene.state.brushSize).toBe(256);
  });

  it('steps the brush by about 15 %, at least a pixel', () => {
    const scene = new Scene();
    scene.stepBrushSize(1);
    expect(scene.state.brushSize).toBe(6);
    scene.stepBrushSize(-1);
    scene.stepBrushSize(-1);
    expect(scene.state.brushSize).toBe(4);
    scene.setBrushSize(100);
    scene.stepBrushSize(1);
    expect(scene.state.brushSize).toBe(115);
  });

  it('drops a polygon in progress when the tool changes', () => {
    const scene = new Scene();
    scene.setTool('polygon');
    scene.addPolygonPoint(1, 2);
    scene.addPolygonPoint(3, 4);
    expect(scene.state.polygon).toHaveLength(2);
    scene.setTool('brush');
    expect(scene.state.polygon).toEqual([]);
    expect(scene.state.tool).toBe('brush');
  });

  it('uses the 2nd observer as reference only where the image has one', () => {
    const scene = new Scene();
    const image = fakeImage('a');
    expect(scene.reference(image)).toBe(image.first);
    scene.setObserver('2nd');
    expect(scene.reference(image)).toBe(image.second);
    expect(scene.reference({ ...image, second: null })).toBe(image.first);
  });

  it('thresholds the current prediction at the display threshold', () => {
    const scene = new Scene();
    expect(scene.thresholdedPrediction()).toBeNull();
    scene.set({ current: fakeImage('a', 2, 2, new Uint8Array([0, 127, 128, 255])) });
    expect([...scene.thresholdedPrediction()!]).toEqual([0, 0, 1, 1]);
  });

  it('Esc closes the sheet, then the open dialog, then drops the polygon', () => {
    const scene = new Scene();
    scene.set({ shortcutsOpen: true, openDialog: true, polygon: [{ x: 0, y: 0 }] });
    scene.escape();
    expect(scene.state).toMatchObject({ shortcutsOpen: false, openDialog: true });
    scene.escape();
    expect(scene.state.openDialog).toBe(false);
    expect(scene.state.polygon).toHaveLength(1);
    scene.escape();
    expect(scene.state.polygon).toEqual([]);
  });
});

describe('scene view', () => {
  it('fits the image, zooms about the centre and shows actual pixels', () => {
    const scene = new Scene();
    scene.setViewport(200, 100);
    scene.fit(); // nothing shown: nothing to fit
    expect(scene.state.view).toEqual({ zoom: 1, x: 0, y: 0 });
    scene.set({ current: fakeImage('a', 50, 50) });
    scene.fit();
    expect(scene.state.view.zoom).toBeCloseTo(1.92);
    scene.actualSize();
    expect(scene.state.view.zoom).toBe(1);
    scene.zoomBy(1.5);
    expect(scene.state.view.zoom).toBe(1.5);
    scene.setView({ zoom: 1000, x: 0, y: 0 });
    expect(scene.state.view.zoom).toBe(64);
  });

  it('keeps the view for an image of the same size, fits a different size', () => {
    const scene = new Scene();
    scene.setViewport(200, 100);
    scene.setView({ zoom: 3, x: 5, y: 6 });
    const a = fakeImage('a', 50, 50);
    expect(scene.viewFor(a, fakeImage('b', 50, 50))).toEqual({ zoom: 3, x: 5, y: 6 });
    expect(scene.viewFor(a, fakeImage('c', 100, 100)).zoom).toBeCloseTo(0.96);
    expect(scene.viewFor(null, fakeImage('d', 50, 50)).zoom).toBeCloseTo(1.92);
  });
});

describe('scene images', () => {
  const images = [summary('a', 2), summary('b', 0, true), summary('c', 1)];

  it('orders the list by dataset or correct-next rank', () => {
    const scene = new Scene();
    scene.set({ images });
    expect(scene.orderedImages().map((i) => i.id)).toEqual(['a', 'b', 'c']);
    scene.set({ sortBy: 'correctNext' });
    expect(scene.orderedImages().map((i) => i.id)).toEqual(['b', 'c', 'a']);
  });

  it('orders most uncertain first, images without a score last in list order', () => {
    const scored = [
      { ...summary('a', 0), uncertaintyScore: null },
      { ...summary('b', 1), uncertaintyScore: 0.2 },
      { ...summary('c', 2), uncertaintyScore: null },
      { ...summary('d', 3), uncertaintyScore: 0.7 },
      { ...summary('e', 4), uncertaintyScore: 0.2 },
    ];
    const ids = (list: { id: string }[]) => list.map((i) => i.id);
    expect(ids(orderImages(scored, 'uncertain'))).toEqual(['d', 'b', 'e', 'a', 'c']);
    expect(ids(orderImages(scored, 'dataset'))).toEqual(['a', 'b', 'c', 'd', 'e']);
    // The input is left alone.
    expect(ids(scored)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('filters by split in every order, and lists the splits there are', () => {
    const mixed = [
      { ...summary('t1', 3), split: 'training', uncertaintyScore: 0.1 },
      { ...summary('s1', 0), split: 'test', uncertaintyScore: 0.9 },
      { ...summary('t2', 1), split: 'training', uncertaintyScore: 0.5 },
      { ...summary('s2', 2), split: 'test', uncertaintyScore: null },
    ];
    const ids = (list: { id: string }[]) => list.map((i) => i.id);
    expect(imageSplits(mixed)).toEqual(['training', 'test']);
    expect(ids(orderImages(mixed, 'dataset', 'training'))).toEqual(['t1', 't2']);
    expect(ids(orderImages(mixed, 'uncertain', 'training'))).toEqual(['t2', 't1']);
    expect(ids(orderImages(mixed, 'correctNext', 'test'))).toEqual(['s1', 's2']);
    expect(ids(orderImages(mixed, 'dataset', ALL_SPLITS))).toHaveLength(4);
    expect(orderImages(mixed, 'dataset', 'validation')).toEqual([]);
    // The scene's list and its stepping follow the filter.
    const scene = new Scene();
    scene.set({ images: mixed, splitFilter: 'test', selectedId: 's1' });
    expect(ids(scene.orderedImages())).toEqual(['s1', 's2']);
    expect(scene.stepTarget(1, 'list')).toBe('s2');
  });

  it('steps along the list, staying at its ends', () => {
    const scene = new Scene();
    scene.set({ images, selectedId: 'a' });
    expect(scene.stepTarget(1, 'list')).toBe('b');
    expect(scene.stepTarget(-1, 'list')).toBeNull();
    scene.set({ selectedId: 'c' });
    expect(scene.stepTarget(1, 'list')).toBeNull();
    expect(new Scene().stepTarget(1, 'list')).toBeNull();
  });

  it('jumps to the next uncorrected image in correct-next order, wrapping', () => {
    const scene = new Scene();
    scene.set({ images, selectedId: 'b' });
    expect(scene.stepTarget(1, 'correctNext')).toBe('c');
    scene.set({ selectedId: 'a' });
    expect(scene.stepTarget(1, 'correctNext')).toBe('c');
  });

  it('marks an image corrected and puts a new revision first for the selected image only', () => {
    const scene = new Scene();
    scene.set({ images, selectedId: 'a' });
    scene.markCorrected('a', 7);
    expect(scene.state.images[0]).toMatchObject({ corrected: true, latestRevisionId: 7 });
    const revision = {
      id: 7,
      imageId: 'a',
      parentId: null,
      createdAt: '',
      note: '',
      byteLength: 1,
    };
    scene.addRevision('a', revision);
    scene.addRevision('a', revision);
    scene.addRevision('b', { ...revision, id: 8 });
    expect(scene.state.revisions.map((r) => r.id)).toEqual([7]);
  });

  it("copies the current document's undo state", () => {
    const scene = new Scene();
    const image = fakeImage('a');
    scene.set({ current: image });
    image.doc.fillAt(0, 0, 1);
    scene.syncDepths();
    expect(scene.state).toMatchObject({ undoDepth: 1, redoDepth: 0 });
    expect(scene.state.maskVersion).toBe(image.doc.version);
  });
});

describe('document cache', () => {
  it('keeps at most its limit, dropping the oldest clean document', () => {
    const cache = new DocumentCache(2);
    const a = new MaskDocument(2, 2);
    const b = new MaskDocument(2, 2);
    cache.remember('a', a);
    cache.remember('b', b);
    cache.remember('c', new MaskDocument(2, 2));
    expect(cache.has('a')).toBe(false);
    expect(cache.get('b')).toBe(b);
    expect(cache.size).toBe(2);
  });

  it('never drops a document with unsaved changes', () => {
    const cache = new DocumentCache(1);
    const a = new MaskDocument(2, 2);
    a.fillAt(0, 0, 1);
    cache.remember('a', a);
    cache.remember('b', new MaskDocument(2, 2));
    expect(cache.has('a')).toBe(true);
    expect(cache.size).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
