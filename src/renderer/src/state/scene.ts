/**
 * The studio's scene, in plain TypeScript (no React, no DOM at run time): the session and its
 * image list, the open mask documents, the layer list with visibility and opacity per layer,
 * and the view (zoom and pan, current image, threshold, tool). Components subscribe to it;
 * the controller reacts to its changes by redrawing and persisting.
 */
import type {
  StudioImageSummary,
  StudioRevision,
  StudioSessionInfo,
} from '../../../shared/api/studio';
import type { MaskDocument } from '../canvas/mask-document';
import { thresholdProbabilities, type MaskStyle } from '../canvas/mask-render';
import { actualSizeView, clampZoom, fitView, zoomAt, type View } from '../canvas/view';
import { Store } from './store';

/** The layers that exist: their ids are also the `layer-<id>` test ids and `layer.<id>` commands. */
export type LayerId =
  'image' | 'groundTruth' | 'prediction' | 'corrected' | 'errors' | 'uncertainty';

/** What a layer draws, which decides its source and whether it needs a prediction. */
export type LayerKind = 'image' | 'reference' | 'heatmap' | 'mask' | 'errors' | 'uncertainty';

/** One entry of the layer list, in the manner of napari's layer list. */
export interface LayerEntry {
  readonly id: LayerId;
  readonly name: string;
  readonly kind: LayerKind;
  readonly visible: boolean;
  readonly opacity: number;
}

/** The layer list as the studio starts: the panel's order, top to bottom. */
export const INITIAL_LAYERS: readonly LayerEntry[] = [
  { id: 'image', name: 'Fundus image', kind: 'image', visible: true, opacity: 1 },
  { id: 'groundTruth', name: 'Ground truth', kind: 'reference', visible: false, opacity: 0.6 },
  { id: 'prediction', name: 'Prediction', kind: 'heatmap', visible: true, opacity: 0.6 },
  { id: 'corrected', name: 'Corrected mask', kind: 'mask', visible: true, opacity: 0.5 },
  { id: 'errors', name: 'Error map', kind: 'errors', visible: false, opacity: 0.8 },
  { id: 'uncertainty', name: 'Uncertainty', kind: 'uncertainty', visible: false, opacity: 0.8 },
];

/** Whether a layer of this kind shows something only when the image has a prediction. */
export function needsPrediction(kind: LayerKind): boolean {
  return kind === 'heatmap' || kind === 'errors' || kind === 'uncertainty';
}

export type Tool = 'brush' | 'eraser' | 'fill' | 'polygon';

/**
 * The image list's orders: the dataset's, "correct next" (the engine's rank), and most
 * uncertain first (the engine's uncertainty score at the display threshold).
 */
export type ImageOrder = 'dataset' | 'correctNext' | 'uncertain';

/** The split filter's value that shows every image. */
export const ALL_SPLITS = 'all';

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
  /** At which scale the shown prediction was made ("predicted at 0.75x ..."); null: unknown or none. */
  predictionScale: string | null;
  doc: MaskDocument;
}

/** Everything the studio shows; components select slices of it. */
export interface SceneState {
  session: StudioSessionInfo | null;
  opening: boolean;
  openError: string | null;
  openDialog: boolean;
  images: StudioImageSummary[];
  orderNote: string;
  sortBy: ImageOrder;
  /** The split the image list shows, or ALL_SPLITS. */
  splitFilter: string;
  selectedId: string | null;
  loading: boolean;
  loadError: string | null;
  current: LoadedImage | null;
  layers: readonly LayerEntry[];
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

/** The scene of a studio with nothing open. */
export function initialSceneState(): SceneState {
  return {
    session: null,
    opening: false,
    openError: null,
    openDialog: false,
    images: [],
    orderNote: '',
    sortBy: 'dataset',
    splitFilter: ALL_SPLITS,
    selectedId: null,
    loading: false,
    loadError: null,
    current: null,
    layers: INITIAL_LAYERS,
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
}

/** Keeps at most this many images' documents (undo history included) in memory. */
export const DOCUMENT_LIMIT = 64;

/**
 * The mask documents of visited images, so undo survives image switches. Past the limit the
 * oldest document with nothing left to save is dropped; unsaved ones are never dropped.
 */
export class DocumentCache {
  private readonly documents = new Map<string, MaskDocument>();

  constructor(private readonly limit = DOCUMENT_LIMIT) {}

  get size(): number {
    return this.documents.size;
  }

  get(id: string): MaskDocument | undefined {
    return this.documents.get(id);
  }

  has(id: string): boolean {
    return this.documents.has(id);
  }

  /** Keeps `doc` for `id`, evicting clean documents other than it beyond the limit. */
  remember(id: string, doc: MaskDocument): void {
    this.documents.set(id, doc);
    while (this.documents.size > this.limit) {
      const victim = [...this.documents].find(([key, d]) => key !== id && !d.dirty);
      if (!victim) break;
      this.documents.delete(victim[0]);
    }
  }

  clear(): void {
    this.documents.clear();
  }
}

/** The scene: state with subscribe/notify, the document cache and the viewport size. */
export class Scene extends Store<SceneState> {
  readonly documents = new DocumentCache();
  /** The canvas's size in screen pixels; not state, since nothing renders from it. */
  viewport = { width: 800, height: 600 };

  constructor(initial: SceneState = initialSceneState()) {
    super(initial);
  }

  get state(): SceneState {
    return this.get();
  }

  // ------------------------------------------------------------------ layers

  /** The entry of a layer (every id is in the list). */
  layer(id: LayerId): LayerEntry {
    return this.state.layers.find((l) => l.id === id)!;
  }

  /** Changes one layer's entry, keeping the list's order. */
  private patchLayer(id: LayerId, patch: Partial<Pick<LayerEntry, 'visible' | 'opacity'>>): void {
    this.set((s) => ({ layers: s.layers.map((l) => (l.id === id ? { ...l, ...patch } : l)) }));
  }

  setLayerVisible(id: LayerId, visible: boolean): void {
    this.patchLayer(id, { visible });
  }

  toggleLayer(id: LayerId): void {
    this.setLayerVisible(id, !this.layer(id).visible);
  }

  /** Sets a layer's opacity, clamped to 0..1. */
  setLayerOpacity(id: LayerId, opacity: number): void {
    this.patchLayer(id, { opacity: Math.min(1, Math.max(0, opacity)) });
  }

  // ------------------------------------------------------------------ display

  setMaskStyle(maskStyle: MaskStyle): void {
    this.set({ maskStyle });
  }

  toggleMaskStyle(): void {
    this.setMaskStyle(this.state.maskStyle === 'filled' ? 'contour' : 'filled');
  }

  setObserver(observer: '1st' | '2nd'): void {
    this.set({ observer });
  }

  /** Sets the display threshold, clamped to 0..1 and rounded to hundredths. */
  setThreshold(threshold: number): void {
    this.set({ threshold: Math.round(Math.min(1, Math.max(0, threshold)) * 100) / 100 });
  }

  /** The ground truth shown and reverted to: the chosen observer's, when the image has it. */
  reference(image: LoadedImage): Uint8Array {
    return this.state.observer === '2nd' && image.second ? image.second : image.first;
  }

  /** The current prediction thresholded at the display threshold, or null without one. */
  thresholdedPrediction(): Uint8Array | null {
    const p = this.state.current?.probabilities;
    return p ? thresholdProbabilities(p, this.state.threshold) : null;
  }

  // ------------------------------------------------------------------ tools

  /** Picks a tool; a polygon in progress is dropped. */
  setTool(tool: Tool): void {
    this.cancelPolygon();
    this.set({ tool });
  }

  /** Sets the brush diameter, rounded and clamped to 1..256 pixels. */
  setBrushSize(size: number): void {
    this.set({ brushSize: Math.min(256, Math.max(1, Math.round(size))) });
  }

  /** Grows (+1) or shrinks (-1) the brush by about 15 %, at least one pixel. */
  stepBrushSize(direction: 1 | -1): void {
    const size = this.state.brushSize;
    this.setBrushSize(size + direction * Math.max(1, Math.round(size * 0.15)));
  }

  addPolygonPoint(x: number, y: number): void {
    this.set((s) => ({ polygon: [...s.polygon, { x, y }] }));
  }

  cancelPolygon(): void {
    if (this.state.polygon.length > 0) this.set({ polygon: [] });
  }

  // ------------------------------------------------------------------ view

  /** Records the canvas's size, for fit, 1:1 and zooming about the centre. */
  setViewport(width: number, height: number): void {
    this.viewport = { width, height };
  }

  setView(view: View): void {
    this.set({ view: { ...view, zoom: clampZoom(view.zoom) } });
  }

  /** Shows the whole current image. */
  fit(): void {
    const c = this.state.current;
    if (c) this.setView(fitView(c.width, c.height, this.viewport.width, this.viewport.height));
  }

  /** Zooms about the viewport's centre. */
  zoomBy(factor: number): void {
    const { width, height } = this.viewport;
    this.setView(zoomAt(this.state.view, factor, width / 2, height / 2));
  }

  actualSize(): void {
    const { width, height } = this.viewport;
    this.setView(actualSizeView(this.state.view, width, height));
  }

  /** The view for a newly shown image: kept when the size is unchanged, else fitted. */
  viewFor(previous: LoadedImage | null, next: LoadedImage): View {
    const sameSize =
      previous !== null && previous.width === next.width && previous.height === next.height;
    const { width, height } = this.viewport;
    return sameSize ? this.state.view : fitView(next.width, next.height, width, height);
  }

  // ------------------------------------------------------------------ images

  /** The image list in the chosen order, only the chosen split. */
  orderedImages(): StudioImageSummary[] {
    const { images, sortBy, splitFilter } = this.state;
    return orderImages(images, sortBy, splitFilter);
  }

  /**
   * The image a step lands on, or null to stay: `delta` along the list as shown, or, for
   * `correctNext`, the first uncorrected image after the current one in that order.
   */
  stepTarget(delta: number, order: 'list' | 'correctNext'): string | null {
    const list = order === 'list' ? this.orderedImages() : byCorrectNext(this.state.images);
    if (list.length === 0) return null;
    const selected = this.state.selectedId;
    const at = list.findIndex((i) => i.id === selected);
    if (order === 'correctNext') {
      const next =
        list.find((img, k) => k > at && !img.corrected) ?? list.find((i) => !i.corrected);
      return next?.id ?? null;
    }
    const next = list[Math.min(list.length - 1, Math.max(0, at + delta))];
    return next && next.id !== selected ? next.id : null;
  }

  /** Marks an image corrected at a revision (after a save or a restore). */
  markCorrected(id: string, revisionId: number): void {
    this.set((s) => ({
      images: s.images.map((i) =>
        i.id === id ? { ...i, corrected: true, latestRevisionId: revisionId } : i,
      ),
    }));
  }

  /** Puts a new revision of the selected image first in the history. */
  addRevision(id: string, revision: StudioRevision): void {
    if (this.state.selectedId !== id) return;
    this.set((s) => ({
      revisions: [revision, ...s.revisions.filter((r) => r.id !== revision.id)],
    }));
  }

  /** Copies the current document's undo state into the scene, for components. */
  syncDepths(): void {
    const doc = this.state.current?.doc;
    if (doc)
      this.set({ undoDepth: doc.undoDepth, redoDepth: doc.redoDepth, maskVersion: doc.version });
  }

  // ------------------------------------------------------------------ panels

  toggleHistory(): void {
    this.set((s) => ({ historyOpen: !s.historyOpen }));
  }

  toggleShortcuts(): void {
    this.set((s) => ({ shortcutsOpen: !s.shortcutsOpen }));
  }

  showOpenDialog(): void {
    this.set({ openDialog: true, openError: null });
  }

  /** Esc: closes the topmost of the shortcut sheet and the open dialog, else drops a polygon. */
  escape(): void {
    const s = this.state;
    if (s.shortcutsOpen) this.set({ shortcutsOpen: false });
    else if (s.openDialog) this.set({ openDialog: false });
    else this.cancelPolygon();
  }
}

function byCorrectNext(images: StudioImageSummary[]): StudioImageSummary[] {
  return [...images].sort((a, b) => a.correctNextRank - b.correctNextRank);
}

/** Highest uncertainty score first; images without one (no prediction) last, in list order. */
function byUncertainty(images: StudioImageSummary[]): StudioImageSummary[] {
  return images
    .map((image, index) => ({ image, index }))
    .sort((a, b) => {
      const sa = a.image.uncertaintyScore;
      const sb = b.image.uncertaintyScore;
      if (sa !== null && sb !== null) return sb - sa || a.index - b.index;
      if (sa !== null) return -1;
      if (sb !== null) return 1;
      return a.index - b.index;
    })
    .map((s) => s.image);
}

/** The images of split `split` (every image for ALL_SPLITS) in `order`. */
export function orderImages(
  images: StudioImageSummary[],
  order: ImageOrder,
  split: string = ALL_SPLITS,
): StudioImageSummary[] {
  const shown = split === ALL_SPLITS ? images : images.filter((i) => i.split === split);
  if (order === 'correctNext') return byCorrectNext(shown);
  if (order === 'uncertain') return byUncertainty(shown);
  return shown;
}

/** The splits the images belong to, in the order they first appear (training, test, ...). */
export function imageSplits(images: readonly StudioImageSummary[]): string[] {
  return [...new Set(images.map((i) => i.split))];
}
