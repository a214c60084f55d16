/**
 * The studio's coordinator: it opens sessions and loads images into the scene, turns mask
 * edits into autosaves, and keeps the overlay canvases (the DOM side of the layers) in step
 * with the scene. State lives in `scene.ts`, saving in `persistence.ts`, commands in
 * `commands.ts`; this file only wires them to the engine and the canvas.
 */
import type { RetrainScope } from '../../../shared/api/training';
import type { VesselApi } from '../../../shared/api';
import type { StudioSessionInfo } from '../../../shared/api/studio';
import { decodeMaskRuns } from '../../../shared/mask-runs';
import { LayerCanvases } from '../canvas/layer-canvases';
import { MaskDocument } from '../canvas/mask-document';
import { encodeMaskPng } from '../canvas/png-pixels';
import type { PixelRect } from '../canvas/raster';
import { commandById, commandForMenu, type CommandContext, type CommandId } from './commands';
import { fetchImage } from './image-loader';
import { Autosave, ViewSettingsKeeper } from './persistence';
import { Scene, type LoadedImage, type SceneState } from './scene';

/** Which Konva layers to redraw. */
export interface CanvasSink {
  drawOverlays(): void;
  drawMask(): void;
}

/** Wires the scene to the engine (sessions, images, saves) and to the overlay canvases. */
export class StudioController implements CommandContext {
  readonly scene = new Scene();
  readonly overlays = new LayerCanvases();
  private readonly autosave: Autosave;
  private readonly viewSettings: ViewSettingsKeeper;
  private sink: CanvasSink | null = null;
  private retrainAction: ((scope: RetrainScope) => void) | null = null;
  private loadToken = 0;
  private unsubscribeDoc: (() => void) | null = null;
  private previous: SceneState;

  constructor(readonly api: VesselApi) {
    this.autosave = new Autosave(api.studio, this.scene, encodeMaskPng);
    this.viewSettings = new ViewSettingsKeeper(api.studio, this.scene);
    // The controller lives as long as the page, so these subscriptions are never undone.
    this.viewSettings.start();
    this.previous = this.scene.state;
    this.scene.subscribe(() => this.onSceneChange());
    // A prediction the engine just stored: shown at once if it is the image on screen.
    api.on('studio.predictionReady', ({ id }) => {
      if (this.state.selectedId === id) void this.selectImage(id);
      this.refreshImagesSoon();
    });
  }

  get state(): SceneState {
    return this.scene.state;
  }

  attachCanvas(sink: CanvasSink | null): void {
    this.sink = sink;
  }

  /**
   * The Train panel hands over what its Retrain and Quick fine-tune buttons do, so their keys
   * (R, Q) do the same.
   */
  attachRetrain(action: ((scope: RetrainScope) => void) | null): void {
    this.retrainAction = action;
  }

  retrain(scope: RetrainScope): void {
    this.retrainAction?.(scope);
  }

  // ------------------------------------------------------------------ opening

  /** Opens a dataset folder or a project file (a path ending in .vessel is a project). */
  async open(target: string): Promise<boolean> {
    const trimmed = target.trim();
    if (trimmed === '') {
      this.scene.set({ openError: 'Type the path of a dataset folder or a .vessel project file.' });
      return false;
    }
    return this.openWith(
      trimmed.endsWith('.vessel') ? { projectPath: trimmed } : { datasetPath: trimmed },
    );
  }

  /** Opens a dataset and/or project (a new project file is created for its dataset). */
  async openWith(input: { datasetPath?: string; projectPath?: string }): Promise<boolean> {
    this.scene.set({ opening: true, openError: null });
    await this.autosave.flush();
    const result = await this.api.studio.open(input);
    if (!result.ok) {
      this.scene.set({
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
    this.scene.documents.clear();
    this.state.current?.fundus.close();
    this.scene.set({
      session,
      opening: false,
      openDialog: false,
      openError: null,
      selectedId: null,
      current: null,
    });
    const saved = (await this.viewSettings.restore())?.selectedImage;
    await this.refreshImages();
    const images = this.state.images;
    const first =
      typeof saved === 'string' && images.some((i) => i.id === saved) ? saved : images[0]?.id;
    if (first) await this.selectImage(first);
  }

  async refreshImages(): Promise<void> {
    const list = await this.api.studio.listImages({ threshold: this.state.threshold });
    if (list.ok) this.scene.set({ images: list.value.images, orderNote: list.value.orderNote });
  }

  private listRefresh: { running: boolean; again: boolean } = { running: false, again: false };

  /** Refreshes the list once now and once more if asked again meanwhile (one request at a time). */
  private refreshImagesSoon(): void {
    if (this.listRefresh.running) {
      this.listRefresh.again = true;
      return;
    }
    this.listRefresh = { running: true, again: false };
    void this.refreshImages().finally(() => {
      const again = this.listRefresh.again;
      this.listRefresh = { running: false, again: false };
      if (again) this.refreshImagesSoon();
    });
  }

  // ------------------------------------------------------------------ images

  async selectImage(id: string): Promise<void> {
    const token = ++this.loadToken;
    this.scene.cancelPolygon();
    this.scene.set({ selectedId: id, loading: true, loadError: null });
    // The engine predicts the image on screen first, then its neighbours in the list's order.
    void this.api.studio.focusImage({ id, order: this.scene.orderedImages().map((i) => i.id) });
    try {
      const fetched = await fetchImage(this.api, id, !this.scene.documents.has(id));
      if (token !== this.loadToken) {
        fetched.image.fundus.close();
        return;
      }
      let doc = this.scene.documents.get(id);
      if (!doc) {
        const { width, height } = fetched.image;
        doc = new MaskDocument(width, height, fetched.mask!.pixels, fetched.mask!.revisionId);
        this.scene.documents.remember(id, doc);
      }
      const t2 = performance.now();
      this.showImage({ ...fetched.image, doc });
      performance.measure('studio:fetch', { start: fetched.t0, end: fetched.t1 });
      performance.measure('studio:decode', { start: fetched.t1, end: t2 });
      performance.measure('studio:show', { start: t2, end: performance.now() });
      void this.refreshRevisions();
    } catch (error) {
      if (token === this.loadToken) {
        this.scene.set({ loading: false, loadError: (error as Error).message });
      }
    }
  }

  private showImage(loaded: LoadedImage): void {
    const previous = this.state.current;
    this.unsubscribeDoc?.();
    const { maskStyle, threshold } = this.state;
    // The overlays are rendered before the scene names the image, so its first frame is whole.
    this.overlays.setSources(
      {
        width: loaded.width,
        height: loaded.height,
        reference: this.scene.reference(loaded),
        probabilities: loaded.probabilities,
        fov: loaded.fov,
        mask: loaded.doc.data,
      },
      maskStyle,
      threshold,
    );
    this.unsubscribeDoc = loaded.doc.onChange((rect) => this.onMaskPixels(rect));
    this.scene.set({
      current: loaded,
      loading: false,
      view: this.scene.viewFor(previous, loaded),
      undoDepth: loaded.doc.undoDepth,
      redoDepth: loaded.doc.redoDepth,
      maskVersion: loaded.doc.version,
    });
    if (previous && previous.fundus !== loaded.fundus) previous.fundus.close();
    this.sink?.drawOverlays();
    this.sink?.drawMask();
  }

  /** Called for every change of the current mask's pixels: re-upload only that rectangle. */
  private onMaskPixels(rect: PixelRect): void {
    this.overlays.renderMask(rect, this.state.maskStyle);
    this.sink?.drawMask();
  }

  // ------------------------------------------------------------------ editing

  /** Finishes a change of the current mask: error map, undo state, autosave. */
  afterEdit(): void {
    const current = this.state.current;
    if (!current) return;
    if (this.scene.layer('errors').visible) {
      this.overlays.renderErrors(this.state.threshold);
      this.sink?.drawOverlays();
    }
    this.scene.syncDepths();
    this.autosave.schedule(current.id, current.doc);
  }

  undo(): void {
    if (this.state.current?.doc.undo()) this.afterEdit();
  }

  redo(): void {
    if (this.state.current?.doc.redo()) this.afterEdit();
  }

  revertToGroundTruth(): void {
    const current = this.state.current;
    if (!current) return;
    const label = `Revert to ground truth (${this.state.observer})`;
    if (current.doc.replaceAll(this.scene.reference(current), label)) this.afterEdit();
  }

  revertToPrediction(): void {
    const current = this.state.current;
    const binary = this.scene.thresholdedPrediction();
    if (!current || !binary) return;
    const label = `Revert to prediction at ${this.state.threshold.toFixed(2)}`;
    if (current.doc.replaceAll(binary, label)) this.afterEdit();
  }

  /** Fills (or with `erase` clears) the polygon drawn so far, if it has three points. */
  closePolygon(erase: boolean): void {
    const current = this.state.current;
    const points = this.state.polygon;
    this.scene.set({ polygon: [] });
    if (!current || points.length < 3) return;
    if (current.doc.fillPolygon(points, erase ? 0 : 1)) this.afterEdit();
  }

  // ------------------------------------------------------------------ revisions

  /** Waits for every pending save. */
  flushSaves(): Promise<void> {
    return this.autosave.flush();
  }

  async refreshRevisions(): Promise<void> {
    const id = this.state.selectedId;
    if (!id) return;
    const result = await this.api.studio.revisions({ id });
    if (result.ok && this.state.selectedId === id) {
      this.scene.set({ revisions: result.value.revisions });
    }
  }

  async restoreRevision(revisionId: number): Promise<void> {
    const current = this.state.current;
    if (!current) return;
    await this.autosave.flush();
    const result = await this.api.studio.restoreRevision({ id: current.id, revisionId });
    if (!result.ok) {
      this.scene.set({ save: { state: 'error', message: result.error.message } });
      return;
    }
    const restored = result.value.mask;
    current.doc.replaceAll(
      decodeMaskRuns(restored.runs, restored.width * restored.height),
      `Restore revision ${revisionId}`,
    );
    // The engine already appended the restored state as a revision: nothing to autosave.
    current.doc.markSaved(current.doc.version, result.value.revision.id);
    this.scene.markCorrected(current.id, result.value.revision.id);
    this.scene.syncDepths();
    if (this.scene.layer('errors').visible) this.overlays.renderErrors(this.state.threshold);
    this.sink?.drawOverlays();
    await this.refreshRevisions();
  }

  // ------------------------------------------------------------------ commands

  /** Runs a command of the registry (keys, buttons). */
  run(id: CommandId): void {
    commandById(id).perform(this);
  }

  /** Runs the command an application-menu item stands for; false when it has none. */
  runMenu(menu: string): boolean {
    const command = commandForMenu(menu);
    command?.perform(this);
    return command !== null;
  }

  // ------------------------------------------------------------------ canvas upkeep

  /**
   * Keeps the overlay canvases in step with the scene: a change of style, observer, threshold
   * or layers re-renders what depends on it. A newly shown image is rendered whole by
   * `showImage`, so only changes while the same image stays are handled here.
   */
  private onSceneChange(): void {
    const prev = this.previous;
    const next = this.scene.state;
    this.previous = next;
    const current = next.current;
    if (!current || current !== prev.current) return;
    let overlays = false;
    let mask = false;
    if (next.maskStyle !== prev.maskStyle) {
      this.overlays.renderReference(this.scene.reference(current), next.maskStyle);
      this.overlays.renderMask(null, next.maskStyle);
      overlays = mask = true;
    } else if (next.observer !== prev.observer) {
      this.overlays.renderReference(this.scene.reference(current), next.maskStyle);
      overlays = true;
    }
    if (next.threshold !== prev.threshold) {
      this.overlays.renderPrediction(next.threshold);
      overlays = true;
    }
    if (next.layers !== prev.layers) {
      const errors = (s: SceneState) => s.layers.find((l) => l.id === 'errors')!.visible;
      // The error map is kept up to date only while shown (it costs a pass over the image).
      if (errors(next) && !errors(prev)) this.overlays.renderErrors(next.threshold);
      overlays = mask = true;
    }
    if (overlays) this.sink?.drawOverlays();
    if (mask) this.sink?.drawMask();
  }
}
