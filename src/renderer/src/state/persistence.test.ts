import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StudioRevision, StudioViewSettings } from '../../../shared/api/studio';
import type { Result } from '../../../shared/result';
import { MaskDocument } from '../canvas/mask-document';
import {
  applyViewSettings,
  Autosave,
  viewSettingsOf,
  ViewSettingsKeeper,
  type PersistenceClient,
} from './persistence';
import { Scene } from './scene';
import { fakeImage, SESSION, summary } from './test-fixtures';

const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** A contract client that stores revisions and view settings in memory. */
function fakeClient(saved: StudioViewSettings = {}) {
  let nextRevision = 1;
  const state = {
    masks: [] as { id: string; parentRevisionId: number | null; png: Uint8Array }[],
    settings: [] as StudioViewSettings[],
    fail: false,
  };
  const revision = (id: string): StudioRevision => ({
    id: nextRevision++,
    imageId: id,
    parentId: null,
    createdAt: '2025-01-01T00:00:00Z',
    note: 'autosave',
    byteLength: 9,
  });
  const client = {
    saveMask: vi.fn(
      async (input: { id: string; png: Uint8Array; parentRevisionId: number | null }) => {
        await Promise.resolve();
        if (state.fail) return { ok: false, error: { code: 'PROJECT_IO', message: 'Disk full.' } };
        state.masks.push(input);
        return ok(revision(input.id));
      },
    ),
    viewSettings: vi.fn(async () => ok(saved)),
    saveViewSettings: vi.fn(async (input: { settings: StudioViewSettings }) => {
      state.settings.push(input.settings);
      return ok(input.settings);
    }),
  };
  return { client: client as unknown as PersistenceClient, calls: client, state };
}

const encode = (data: Uint8Array) => Promise.resolve(new Uint8Array([...data, 9]));

describe('autosave', () => {
  it('saves a dirty document as a revision, then reports all saved', async () => {
    const scene = new Scene();
    scene.set({ images: [summary('a', 0)], selectedId: 'a' });
    const { client, state } = fakeClient();
    const autosave = new Autosave(client, scene, encode);
    const doc = new MaskDocument(2, 2);
    doc.fillAt(0, 0, 1);
    autosave.schedule('a', doc);
    expect(scene.state.save.state).toBe('saving');
    expect(autosave.busy).toBe(true);
    await autosave.flush();
    expect(state.masks).toHaveLength(1);
    expect([...state.masks[0]!.png]).toEqual([1, 1, 1, 1, 9]);
    expect(state.masks[0]!.parentRevisionId).toBeNull();
    expect(doc.dirty).toBe(false);
    expect(doc.revisionId).toBe(1);
    expect(scene.state.save).toEqual({ state: 'saved', message: 'All changes saved' });
    expect(scene.state.images[0]).toMatchObject({ corrected: true, latestRevisionId: 1 });
    expect(scene.state.revisions.map((r) => r.id)).toEqual([1]);
  });

  it('picks up edits made while a save runs, in one loop per image', async () => {
    const scene = new Scene();
    const { client, state } = fakeClient();
    const autosave = new Autosave(client, scene, encode);
    const doc = new MaskDocument(2, 2);
    doc.fillAt(0, 0, 1);
    autosave.schedule('a', doc);
    doc.undo();
    autosave.schedule('a', doc);
    await autosave.flush();
    expect(state.masks).toHaveLength(2);
    expect(state.masks[1]!.parentRevisionId).toBe(1);
    expect(doc.dirty).toBe(false);
  });

  it('keeps the change and says so when a save fails', async () => {
    const scene = new Scene();
    const { client, state } = fakeClient();
    state.fail = true;
    const autosave = new Autosave(client, scene, encode);
    const doc = new MaskDocument(2, 2);
    doc.fillAt(0, 0, 1);
    autosave.schedule('a', doc);
    await autosave.flush();
    expect(scene.state.save.state).toBe('error');
    expect(scene.state.save.message).toContain('Disk full.');
    expect(doc.dirty).toBe(true);
    expect(autosave.busy).toBe(false);
  });
});

describe('view settings', () => {
  it('round-trips through the typed keys', () => {
    const from = new Scene();
    from.setLayerVisible('groundTruth', true);
    from.setLayerOpacity('prediction', 0.3);
    from.setLayerOpacity('corrected', 0.9);
    from.toggleLayer('uncertainty');
    from.setLayerOpacity('uncertainty', 0.4);
    from.setThreshold(0.7);
    from.setBrushSize(12);
    from.setObserver('2nd');
    from.set({ current: fakeImage('x') });
    const settings = viewSettingsOf(from.state);
    expect(settings).toEqual({
      selectedImage: 'x',
      referenceObserver: '2nd',
      showImage: true,
      showReference: true,
      showPrediction: true,
      showCorrections: true,
      showErrors: false,
      showUncertainty: true,
      predictionOpacity: 0.3,
      maskOpacity: 0.9,
      errorsOpacity: 0.8,
      uncertaintyOpacity: 0.4,
      displayThreshold: 0.7,
      brushSize: 12,
    });
    const to = new Scene();
    applyViewSettings(to, settings);
    expect(viewSettingsOf(to.state)).toEqual({ ...settings, selectedImage: null });
  });

  it('keeps values for missing or mistyped keys', () => {
    const scene = new Scene();
    // Values the type rules out, as a reply from a broken or mismatched engine could hold them.
    const mistyped = { brushSize: 'big', showImage: 0, displayThreshold: 0.3 };
    applyViewSettings(scene, mistyped as unknown as StudioViewSettings);
    expect(scene.state.brushSize).toBe(5);
    expect(scene.layer('image').visible).toBe(true);
    expect(scene.state.threshold).toBe(0.3);
    expect(scene.state.observer).toBe('1st');
  });

  describe('keeper', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('restores without writing back, then saves once after a burst of changes', async () => {
      const scene = new Scene();
      const { client, state, calls } = fakeClient({ displayThreshold: 0.4, showReference: true });
      const keeper = new ViewSettingsKeeper(client, scene, 400);
      const stop = keeper.start();
      scene.set({ session: SESSION });
      const saved = await keeper.restore();
      expect(saved).toEqual({ displayThreshold: 0.4, showReference: true });
      expect(scene.state.threshold).toBe(0.4);
      expect(scene.layer('groundTruth').visible).toBe(true);
      await vi.advanceTimersByTimeAsync(1000);
      expect(calls.saveViewSettings).not.toHaveBeenCalled();

      for (const t of [0.5, 0.6, 0.7]) scene.setThreshold(t);
      scene.setTool('eraser'); // not a kept setting: no write of its own
      await vi.advanceTimersByTimeAsync(399);
      expect(state.settings).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(state.settings).toHaveLength(1);
      expect(state.settings[0]!.displayThreshold).toBe(0.7);

      scene.setTool('brush');
      await vi.advanceTimersByTimeAsync(1000);
      expect(state.settings).toHaveLength(1);
      // Every layer's visibility is kept, the uncertainty layer's too.
      scene.toggleLayer('uncertainty');
      await vi.advanceTimersByTimeAsync(1000);
      expect(state.settings).toHaveLength(2);
      expect(state.settings[1]!.showUncertainty).toBe(true);
      stop();
    });

    it('saves nothing without a session, and the shown image once it is shown', async () => {
      const scene = new Scene();
      const { client, state } = fakeClient();
      const keeper = new ViewSettingsKeeper(client, scene, 400);
      keeper.start();
      scene.setThreshold(0.9);
      await vi.advanceTimersByTimeAsync(1000);
      expect(state.settings).toHaveLength(0);

      scene.set({ session: SESSION });
      await keeper.restore();
      scene.set({ selectedId: 'a', loading: true });
      await vi.advanceTimersByTimeAsync(1000);
      expect(state.settings).toHaveLength(0);
      scene.set({ current: fakeImage('a'), loading: false });
      await vi.advanceTimersByTimeAsync(1000);
      expect(state.settings.map((s) => s.selectedImage)).toEqual(['a']);
    });
  });
});
