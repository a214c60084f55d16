/**
 * The studio's controller: the state outside React (a Store), the mask documents of every
 * visited image (so undo survives image switches), autosave of each finished change as a
 * project revision, and every command the keyboard, menus and buttons can trigger.
 */
import type { VesselApi } from '../../../shared/api';
import type {
  StudioImageSummary,
  StudioRevision,
  StudioSessionInfo,
} from '../../../shared/api/studio';
import type { Result } from '../../../shared/result';
import { LayerCanvases } from '../canvas/layer-canvases';
import { MaskDocument } from '../canvas/mask-document';
import { thresholdProbabilities, type MaskStyle } from '../canvas/mask-render';
import { decodeMaskRuns } from '../../../shared/mask-runs';
import { decodePngBitmap, decodePngGrey, encodeMaskPng } from '../canvas/png-pixels';
import type { PixelRect } from '../canvas/raster';
import type { StudioCommand } from '../canvas/shortcuts';
import { actualSizeView, clampZoom, fitView, zoomAt, type View } from '../canvas/view';
import { Store } from './store';

export type LayerKey = 'image' | 'groundTruth' | 'prediction' | 'corrected' | 'errors';
export const LAYER_KEYS: LayerKey[] = ['image', 'groundTruth', 'prediction', 'corrected', 'errors'];
export const LAYER_LABELS: Record<LayerKey, string> = {
  image: 'Fundus image',
  groundTruth: 'Ground truth',
  prediction: 'Prediction',
  corrected: 'Corrected mask',
  errors: 'Error map',
};
export type Tool = 'brush' | 'eraser' | 'fill' | 'polygon';

/** One image as the canvas shows it. */
export interface LoadedImage {
  id: string;
  width: number;
  height: number;
  fundus: ImageBitmap;
  first: Uint8Array;
  second: Uint8Array | null;
  fov: Uint8Array;
  probabilities: Uint8Array | null;
  predictionNote: string | null;
  modelName: string | null;
  doc: MaskDocument;
}

export interface StudioState {
  session: StudioSessionInfo | null;
  opening: boolean;
  openError: string | null;
  openDialog: boolean;
  images: StudioImageSummary[];
  orderNote: string;
  sortBy: 'dataset' | 'correctNext';
  selectedId: string | null;
  loading: boolean;
  loadError: string | null;
  current: LoadedImage | null;
  layers: Record<LayerKey, { visible: boolean; opacity: number }>;
  maskStyle: MaskStyle;
  observer: '1st' | '2nd';
  threshold: number;
  tool: Tool;
  brushSize: number;
  view: View;
  historyOpen: boolean;
  shortcutsOpen: boolean;
  revisions: StudioRevision[];
  save: { state: 'saved' | 'saving' | 'error'; message: string };
  undoDepth: number;
  redoDepth: number;
  /** Bumped whenever the mask changes, for components showing undo/redo state. */
  maskVersion: number;
  polygon: { x: number; y: number }[];
}

const initialState: StudioState = {
  session: null,
  opening: false,
  openError: null,
  openDialog: false,
  images: [],
  orderNote: '',
  sortBy: 'dataset',
  selectedId: null,
  loading: false,
  loadError: null,
  current: null,
  layers: {
    image: { visible: true, opacity: 1 },
    groundTruth: { visible: false, opacity: 0.6 },
    prediction: { visible: true, opacity: 0.6 },
    corrected: { visible: true, opacity: 0.5 },
    errors: { visible: false, opacity: 0.8 },
  },
  maskStyle: 'filled',
  observer: '1st',
  threshold: 0.5,
  tool: 'brush',
  brushSize: 5,
  view: { zoom: 1, x: 0, y: 0 },
  historyOpen: false,
  shortcutsOpen: false,
  revisions: [],
  save: { state: 'saved', message: 'No changes' },
  undoDepth: 0,
  redoDepth: 0,
  maskVersion: 0,
  polygon: [],
};

/** Which Konva layers to redraw. */
export interface CanvasSink {
  drawOverlays(): void;
  drawMask(): void;
}

function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
  return result.value;
}

/** Keeps at most this many images' documents (undo history included) in memory. */
const DOCUMENT_LIMIT = 64;

export class StudioController {
  readonly store = new Store<StudioState>(initialState);
  readonly overlays = new LayerCanvases();
  private readonly documents = new Map<string, MaskDocument>();
  private readonly saving = new Map<string, Promise<void>>();
  private sink: CanvasSink | null = null;
  private viewport = { width: 800, height: 600 };
  private loadToken = 0;
  private viewSettingsTimer: ReturnType<typeof setTimeout> | null = null;
  private unsubscribeDoc: (() => void) | null = null;

  constructor(readonly api: VesselApi) {}

  get state(): StudioState {
    return this.store.get();
  }

  attachCanvas(sink: CanvasSink | null): void {
    this.sink = sink;
  }

  setViewport(width: number, height: number): void {
    this.viewport = { width, height };
  }

  // ------------------------------------------------------------------ opening

  /** Opens a dataset folder or a project file (a path ending in .vessel is a project). */
  async open(target: string): Promise<boolean> {
    const trimmed = target.trim();
    if (trimmed === '') {
      this.store.set({ openError: 'Type the path of a dataset folder or a .vessel project file.' });
      return false;
    }
    return this.openWith(
      trimmed.endsWith('.vessel') ? { projectPath: trimmed } : { datasetPath: trimmed },
    );
  }

  /** Opens a dataset and/or project (a new project file is created for its dataset). */
  async openWith(input: { datasetPath?: string; projectPath?: string }): Promise<boolean> {
    this.store.set({ opening: true, openError: null });
    await this.flushSaves();
    const result = await this.api.studio.open(input);
    if (!result.ok) {
      this.store.set({
        opening: false,
        openError: `${result.error.code}: ${result.error.message}`,
      });
      return false;
    }
    await this.adoptSession(result.value);
    return true;
  }

  /** Shows a session that is already open in the engine (after a page reload, or a menu open). */
  async resume(): Promise<void> {
    const result = await this.api.studio.session({});
    if (result.ok && result.value) await this.adoptSession(result.value);
  }

  private async adoptSession(session: StudioSessionInfo): Promise<void> {
    this.releaseDocuments();
    this.store.set({
      session,
      opening: false,
      openDialog: false,
      openError: null,
      selectedId: null,
      current: null,
    });
    const settings = await this.api.studio.viewSettings({});
    if (settings.ok) this.applyViewSettings(settings.value);
    await this.refreshImages();
    const saved = settings.ok ? settings.value.selectedImage : null;
    const images = this.state.images;
    const first =
      typeof saved === 'string' && images.some((i) => i.id === saved) ? saved : images[0]?.id;
    if (first) await this.selectImage(first);
  }

  async refreshImages(): Promise<void> {
    const list = await this.api.studio.listImages({});
    if (list.ok) this.store.set({ images: list.value.images, orderNote: list.value.orderNote });
  }

  private releaseDocuments(): void {
    this.documents.clear();
    this.state.current?.fundus.close();
  }

  // ------------------------------------------------------------------ images

  /** The image list in the chosen order. */
  orderedImages(): StudioImageSummary[] {
    const { images, sortBy } = this.state;
    if (sortBy === 'dataset') return images;
    return [...images].sort((a, b) => a.correctNextRank - b.correctNextRank);
  }

  async selectImage(id: string): Promise<void> {
    const token = ++this.loadToken;
    this.cancelPolygon();
    this.store.set({ selectedId: id, loading: true, loadError: null });
    try {
      // Phases of an image switch, as performance measures (read by the canvas benchmark).
      const t0 = performance.now();
      const timed = <T>(name: string, request: Promise<T>): Promise<T> =>
        request.then((value) => {
          performance.measure(`studio:fetch-${name}`, { start: t0, end: performance.now() });
          return value;
        });
      const [image, labels, mask, prediction] = await Promise.all([
        timed('image', this.api.studio.image({ id }).then(unwrap)),
        timed('labels', this.api.studio.labels({ id }).then(unwrap)),
        this.documents.has(id)
          ? Promise.resolve(null)
          : timed('mask', this.api.studio.mask({ id }).then(unwrap)),
        timed('prediction', this.api.studio.prediction({ id }).then(unwrap)),
      ]);
      const t1 = performance.now();
      const size = image.width * image.height;
      const [fundus, probabilities] = await Promise.all([
        decodePngBitmap(image.png),
        prediction.available ? decodePngGrey(prediction.png) : Promise.resolve(null),
      ]);
      // Masks come as run lengths: decoding them is a few fills, no image decoder involved.
      const first = decodeMaskRuns(labels.firstObserver, size);
      const second = labels.secondObserver ? decodeMaskRuns(labels.secondObserver, size) : null;
      const fov = decodeMaskRuns(labels.fov, size);
      const maskPixels = mask ? decodeMaskRuns(mask.runs, size) : null;
      if (token !== this.loadToken) {
        fundus.close();
        return;
      }
      let doc = this.documents.get(id);
      if (!doc) {
        doc = new MaskDocument(image.width, image.height, maskPixels!, mask!.revisionId);
        this.rememberDocument(id, doc);
      }
      const loaded: LoadedImage = {
        id,
        width: image.width,
        height: image.height,
        fundus,
        first,
        second,
        fov,
        probabilities: probabilities?.data ?? null,
        predictionNote: prediction.available ? null : prediction.reason,
        modelName: prediction.available ? prediction.modelName : null,
        doc,
      };
      const t2 = performance.now();
      this.showImage(loaded);
      performance.measure('studio:fetch', { start: t0, end: t1 });
      performance.measure('studio:decode', { start: t1, end: t2 });
      performance.measure('studio:show', { start: t2, end: performance.now() });
      this.scheduleViewSettings();
      void this.refreshRevisions();
    } catch (error) {
      if (token === this.loadToken) {
        this.store.set({ loading: false, loadError: (error as Error).message });
      }
    }
  }

  private rememberDocument(id: string, doc: MaskDocument): void {
    this.documents.set(id, doc);
    while (this.documents.size > DOCUMENT_LIMIT) {
      // Drop the oldest document that has nothing left to save.
      const victim = [...this.documents].find(([key, d]) => key !== id && !d.dirty);
      if (!victim) break;
      this.documents.delete(victim[0]);
    }
  }

  private showImage(loaded: LoadedImage): void {
    const previous = this.state.current;
    this.unsubscribeDoc?.();
    const { maskStyle, threshold } = this.state;
    this.overlays.setSources(
      {
        width: loaded.width,
        height: loaded.height,
        reference: this.reference(loaded),
        probabilities: loaded.probabilities,
        fov: loaded.fov,
        mask: loaded.doc.data,
      },
      maskStyle,
      threshold,
    );
    this.unsubscribeDoc = loaded.doc.onChange((rect) => this.onMaskPixels(rect));
    const sameSize =
      previous !== null && previous.width === loaded.width && previous.height === loaded.height;
    this.store.set({
      current: loaded,
      loading: false,
      view: sameSize
        ? this.state.view
        : fitView(loaded.width, loaded.height, this.viewport.width, this.viewport.height),
      ...this.depths(loaded.doc),
    });
    if (previous && previous.fundus !== loaded.fundus) previous.fundus.close();
    this.sink?.drawOverlays();
    this.sink?.drawMask();
  }

  private reference(loaded: LoadedImage): Uint8Array {
    return this.state.observer === '2nd' && loaded.second ? loaded.second : loaded.first;
  }

  private depths(doc: MaskDocument): Pick<StudioState, 'undoDepth' | 'redoDepth' | 'maskVersion'> {
    return { undoDepth: doc.undoDepth, redoDepth: doc.redoDepth, maskVersion: doc.version };
  }

  /** Called for every change of the current mask's pixels: re-upload only that rectangle. */
  private onMaskPixels(rect: PixelRect): void {
    this.overlays.renderMask(rect, this.state.maskStyle);
    this.sink?.drawMask();
  }

  async stepImage(delta: number, order: 'list' | 'correctNext' = 'list'): Promise<void> {
    const list =
      order === 'list'
        ? this.orderedImages()
        : [...this.state.images].sort((a, b) => a.correctNextRank - b.correctNextRank);
    if (list.length === 0) return;
    const at = list.findIndex((i) => i.id === this.state.selectedId);
    if (order === 'correctNext') {
      // The first uncorrected image in the correct-next order after the current one.
      const next =
        list.find((img, k) => k > at && !img.corrected) ?? list.find((i) => !i.corrected);
      if (next) await this.selectImage(next.id);
      return;
    }
    const next = list[Math.min(list.length - 1, Math.max(0, at + delta))];
    if (next && next.id !== this.state.selectedId) await this.selectImage(next.id);
  }

  // ------------------------------------------------------------------ editing

  /** Finishes a change of the current mask: error map, undo state, autosave. */
  afterEdit(): void {
    const current = this.state.current;
    if (!current) return;
    if (this.state.layers.errors.visible) {
      this.overlays.renderErrors(this.state.threshold);
      this.sink?.drawOverlays();
    }
    this.store.set(this.depths(current.doc));
    this.scheduleSave(current.id, current.doc);
  }

  undo(): void {
    const doc = this.state.current?.doc;
    if (doc?.undo()) this.afterEdit();
  }

  redo(): void {
    const doc = this.state.current?.doc;
    if (doc?.redo()) this.afterEdit();
  }

  revertToGroundTruth(): void {
    const current = this.state.current;
    if (!current) return;
    if (
      current.doc.replaceAll(
        this.reference(current),
        `Revert to ground truth (${this.state.observer})`,
      )
    ) {
      this.afterEdit();
    }
  }

  revertToPrediction(): boolean {
    const current = this.state.current;
    if (!current?.probabilities) return false;
    const binary = thresholdProbabilities(current.probabilities, this.state.threshold);
    if (
      current.doc.replaceAll(binary, `Revert to prediction at ${this.state.threshold.toFixed(2)}`)
    ) {
      this.afterEdit();
    }
    return true;
  }

  addPolygonPoint(x: number, y: number): void {
    this.store.set((s) => ({ polygon: [...s.polygon, { x, y }] }));
  }

  closePolygon(erase: boolean): void {
    const current = this.state.current;
    const points = this.state.polygon;
    this.store.set({ polygon: [] });
    if (!current || points.length < 3) return;
    if (current.doc.fillPolygon(points, erase ? 0 : 1)) this.afterEdit();
  }

  cancelPolygon(): void {
    if (this.state.polygon.length > 0) this.store.set({ polygon: [] });
  }

  // ------------------------------------------------------------------ saving

  private scheduleSave(id: string, doc: MaskDocument): void {
    if (this.saving.has(id)) return; // the running save loops until the document is clean
    this.store.set({ save: { state: 'saving', message: 'Saving…' } });
    const run = (async () => {
      try {
        while (doc.dirty) {
          const version = doc.version;
          const png = await encodeMaskPng(doc.data, doc.width, doc.height);
          const revision = unwrap(
            await this.api.studio.saveMask({
              id,
              png,
              parentRevisionId: doc.revisionId,
              note: 'autosave',
            }),
          );
          doc.markSaved(version, revision.id);
          if (this.state.selectedId === id) {
            this.store.set((s) => ({
              revisions: [revision, ...s.revisions.filter((r) => r.id !== revision.id)],
            }));
          }
          this.markCorrected(id, revision.id);
        }
      } catch (error) {
        this.store.set({
          save: {
            state: 'error',
            message: `Not saved: ${(error as Error).message} The change stays here; the next edit retries.`,
          },
        });
        return;
      } finally {
        this.saving.delete(id);
      }
      if (this.saving.size === 0)
        this.store.set({ save: { state: 'saved', message: 'All changes saved' } });
    })();
    this.saving.set(id, run);
  }

  private markCorrected(id: string, revisionId: number): void {
    this.store.set((s) => ({
      images: s.images.map((i) =>
        i.id === id ? { ...i, corrected: true, latestRevisionId: revisionId } : i,
      ),
    }));
  }

  /** Waits for every pending save. */
  async flushSaves(): Promise<void> {
    while (this.saving.size > 0) await Promise.all(this.saving.values());
  }

  async refreshRevisions(): Promise<void> {
    const id = this.state.selectedId;
    if (!id) return;
    const result = await this.api.studio.revisions({ id });
    if (result.ok && this.state.selectedId === id)
      this.store.set({ revisions: result.value.revisions });
  }

  async restoreRevision(revisionId: number): Promise<void> {
    const current = this.state.current;
    if (!current) return;
    await this.flushSaves();
    const result = await this.api.studio.restoreRevision({ id: current.id, revisionId });
    if (!result.ok) {
      this.store.set({ save: { state: 'error', message: result.error.message } });
      return;
    }
    const restored = result.value.mask;
    current.doc.replaceAll(
      decodeMaskRuns(restored.runs, restored.width * restored.height),
      `Restore revision ${revisionId}`,
    );
    // The engine already appended the restored state as a revision: nothing to autosave.
    current.doc.markSaved(current.doc.version, result.value.revision.id);
    this.markCorrected(current.id, result.value.revision.id);
    this.store.set({ ...this.depths(current.doc) });
    if (this.state.layers.errors.visible) this.overlays.renderErrors(this.state.threshold);
    this.sink?.drawOverlays();
    await this.refreshRevisions();
  }

  // ------------------------------------------------------------------ display

  setLayerVisible(layer: LayerKey, visible: boolean): void {
    this.store.set((s) => ({ layers: { ...s.layers, [layer]: { ...s.layers[layer], visible } } }));
    if (layer === 'errors' && visible) this.overlays.renderErrors(this.state.threshold);
    this.sink?.drawOverlays();
    this.sink?.drawMask();
    this.scheduleViewSettings();
  }

  toggleLayer(layer: LayerKey): void {
    this.setLayerVisible(layer, !this.state.layers[layer].visible);
  }

  setLayerOpacity(layer: LayerKey, opacity: number): void {
    const value = Math.min(1, Math.max(0, opacity));
    this.store.set((s) => ({
      layers: { ...s.layers, [layer]: { ...s.layers[layer], opacity: value } },
    }));
    this.scheduleViewSettings();
  }

  setMaskStyle(style: MaskStyle): void {
    this.store.set({ maskStyle: style });
    const current = this.state.current;
    if (!current) return;
    this.overlays.renderReference(this.reference(current), style);
    this.overlays.renderMask(null, style);
    this.sink?.drawOverlays();
    this.sink?.drawMask();
  }

  setObserver(observer: '1st' | '2nd'): void {
    this.store.set({ observer });
    const current = this.state.current;
    if (current) {
      this.overlays.renderReference(this.reference(current), this.state.maskStyle);
      this.sink?.drawOverlays();
    }
    this.scheduleViewSettings();
  }

  setThreshold(threshold: number): void {
    const value = Math.round(Math.min(1, Math.max(0, threshold)) * 100) / 100;
    this.store.set({ threshold: value });
    this.overlays.renderPrediction(value);
    this.sink?.drawOverlays();
    this.scheduleViewSettings();
  }

  setTool(tool: Tool): void {
    this.cancelPolygon();
    this.store.set({ tool });
  }

  setBrushSize(size: number): void {
    this.store.set({ brushSize: Math.min(256, Math.max(1, Math.round(size))) });
    this.scheduleViewSettings();
  }

  setView(view: View): void {
    this.store.set({ view: { ...view, zoom: clampZoom(view.zoom) } });
  }

  fit(): void {
    const c = this.state.current;
    if (c) this.setView(fitView(c.width, c.height, this.viewport.width, this.viewport.height));
  }

  zoomBy(factor: number): void {
    this.setView(
      zoomAt(this.state.view, factor, this.viewport.width / 2, this.viewport.height / 2),
    );
  }

  actualSize(): void {
    this.setView(actualSizeView(this.state.view, this.viewport.width, this.viewport.height));
  }

  // ------------------------------------------------------------------ view settings

  private applyViewSettings(v: Record<string, unknown>): void {
    const num = (key: string, fallback: number) =>
      typeof v[key] === 'number' ? (v[key] as number) : fallback;
    const bool = (key: string, fallback: boolean) =>
      typeof v[key] === 'boolean' ? (v[key] as boolean) : fallback;
    const l = this.state.layers;
    this.store.set({
      layers: {
        image: { ...l.image, visible: bool('showImage', l.image.visible) },
        groundTruth: { ...l.groundTruth, visible: bool('showReference', l.groundTruth.visible) },
        prediction: {
          visible: bool('showPrediction', l.prediction.visible),
          opacity: num('predictionOpacity', l.prediction.opacity),
        },
        corrected: {
          visible: bool('showCorrections', l.corrected.visible),
          opacity: num('maskOpacity', l.corrected.opacity),
        },
        errors: l.errors,
      },
      threshold: num('displayThreshold', this.state.threshold),
      brushSize: num('brushSize', this.state.brushSize),
      observer: v.referenceObserver === '2nd' ? '2nd' : '1st',
    });
  }

  /** The view settings the project keeps (its typed list), saved shortly after a change. */
  private scheduleViewSettings(): void {
    if (!this.state.session) return;
    if (this.viewSettingsTimer) clearTimeout(this.viewSettingsTimer);
    this.viewSettingsTimer = setTimeout(() => {
      const s = this.state;
      void this.api.studio.saveViewSettings({
        settings: {
          selectedImage: s.selectedId,
          referenceObserver: s.observer,
          showImage: s.layers.image.visible,
          showReference: s.layers.groundTruth.visible,
          showPrediction: s.layers.prediction.visible,
          showCorrections: s.layers.corrected.visible,
          predictionOpacity: s.layers.prediction.opacity,
          maskOpacity: s.layers.corrected.opacity,
          displayThreshold: s.threshold,
          brushSize: s.brushSize,
        },
      });
    }, 400);
  }

  // ------------------------------------------------------------------ commands

  /** Runs a keyboard/menu command. */
  run(command: StudioCommand): void {
    const s = this.state;
    switch (command) {
      case 'tool.brush':
        return this.setTool('brush');
      case 'tool.eraser':
        return this.setTool('eraser');
      case 'tool.fill':
        return this.setTool('fill');
      case 'tool.polygon':
        return this.setTool('polygon');
      case 'brush.smaller':
        return this.setBrushSize(s.brushSize - Math.max(1, Math.round(s.brushSize * 0.15)));
      case 'brush.larger':
        return this.setBrushSize(s.brushSize + Math.max(1, Math.round(s.brushSize * 0.15)));
      case 'edit.undo':
        return this.undo();
      case 'edit.redo':
        return this.redo();
      case 'layer.image':
        return this.toggleLayer('image');
      case 'layer.groundTruth':
        return this.toggleLayer('groundTruth');
      case 'layer.prediction':
        return this.toggleLayer('prediction');
      case 'layer.corrected':
        return this.toggleLayer('corrected');
      case 'layer.errors':
        return this.toggleLayer('errors');
      case 'layer.style':
        return this.setMaskStyle(s.maskStyle === 'filled' ? 'contour' : 'filled');
      case 'layer.observer':
        return this.setObserver(s.observer === '1st' ? '2nd' : '1st');
      case 'threshold.down':
        return this.setThreshold(s.threshold - 0.05);
      case 'threshold.up':
        return this.setThreshold(s.threshold + 0.05);
      case 'view.fit':
        return this.fit();
      case 'view.actual':
        return this.actualSize();
      case 'view.zoomIn':
        return this.zoomBy(1.5);
      case 'view.zoomOut':
        return this.zoomBy(1 / 1.5);
      case 'image.next':
        void this.stepImage(1);
        return;
      case 'image.previous':
        void this.stepImage(-1);
        return;
      case 'image.correctNext':
        void this.stepImage(1, 'correctNext');
        return;
      case 'mask.revertGroundTruth':
        return this.revertToGroundTruth();
      case 'mask.revertPrediction':
        this.revertToPrediction();
        return;
      case 'history.toggle':
        this.store.set({ historyOpen: !s.historyOpen });
        if (!s.historyOpen) void this.refreshRevisions();
        return;
      case 'dataset.open':
        this.store.set({ openDialog: true, openError: null });
        return;
      case 'help.shortcuts':
        this.store.set({ shortcutsOpen: !s.shortcutsOpen });
        return;
    }
  }
}
