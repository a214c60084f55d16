/**
 * What the studio keeps in the project file, through the contract client: every finished
 * change of a mask as a revision (autosave), and the view settings (layers, threshold, brush,
 * observer, selected image), restored when a session opens and saved shortly after a change.
 */
import type { VesselApi } from '../../../shared/api';
import type {
  CompleteStudioViewSettings,
  StudioViewSettingKey,
  StudioViewSettings,
} from '../../../shared/api/studio';
import type { Result } from '../../../shared/result';
import type { MaskDocument } from '../canvas/mask-document';
import type { LayerId, Scene, SceneState } from './scene';

/** The part of the contract client persistence uses (a fake one in tests). */
export type PersistenceClient = Pick<
  VesselApi['studio'],
  'saveMask' | 'viewSettings' | 'saveViewSettings'
>;

/** Encodes a 0/1 mask as PNG bytes. */
export type MaskEncoder = (
  data: Uint8Array,
  width: number,
  height: number,
) => Promise<Uint8Array<ArrayBuffer>>;

/** The value of a Result, or its error thrown with the error's code. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw Object.assign(new Error(result.error.message), { code: result.error.code });
  return result.value;
}

/**
 * Saves each image's document as revisions while it is dirty: one save loop per image, which
 * picks up edits made while a save was in flight, and reports its state in the scene.
 */
export class Autosave {
  private readonly saving = new Map<string, Promise<void>>();

  constructor(
    private readonly client: PersistenceClient,
    private readonly scene: Scene,
    private readonly encode: MaskEncoder,
  ) {}

  /** Whether any save is running. */
  get busy(): boolean {
    return this.saving.size > 0;
  }

  /** Starts saving `doc` unless a save loop for the image already runs (it will see the change). */
  schedule(id: string, doc: MaskDocument): void {
    if (this.saving.has(id)) return;
    this.scene.set({ save: { state: 'saving', message: 'Saving…' } });
    const run = (async () => {
      try {
        while (doc.dirty) {
          const version = doc.version;
          const png = await this.encode(doc.data, doc.width, doc.height);
          const revision = unwrap(
            await this.client.saveMask({
              id,
              png,
              parentRevisionId: doc.revisionId,
              note: 'autosave',
            }),
          );
          doc.markSaved(version, revision.id);
          this.scene.addRevision(id, revision);
          this.scene.markCorrected(id, revision.id);
        }
      } catch (error) {
        this.scene.set({
          save: {
            state: 'error',
            message: `Not saved: ${(error as Error).message} The change stays here; the next edit retries.`,
          },
        });
        return;
      } finally {
        this.saving.delete(id);
      }
      if (this.saving.size === 0) {
        this.scene.set({ save: { state: 'saved', message: 'All changes saved' } });
      }
    })();
    this.saving.set(id, run);
  }

  /** Waits for every pending save, including loops started while waiting. */
  async flush(): Promise<void> {
    while (this.saving.size > 0) await Promise.all(this.saving.values());
  }
}

/** The view-settings keys whose values are of type `V` (a layer's flag, a slider's number). */
type SettingKeyOf<V> = {
  [K in StudioViewSettingKey]: CompleteStudioViewSettings[K] extends V ? K : never;
}[StudioViewSettingKey];

/** Which view-settings keys hold a layer's visibility and opacity (not every layer is kept). */
const LAYER_SETTINGS: {
  layer: LayerId;
  visible: SettingKeyOf<boolean>;
  opacity?: SettingKeyOf<number>;
}[] = [
  { layer: 'image', visible: 'showImage' },
  { layer: 'groundTruth', visible: 'showReference' },
  { layer: 'prediction', visible: 'showPrediction', opacity: 'predictionOpacity' },
  { layer: 'corrected', visible: 'showCorrections', opacity: 'maskOpacity' },
  { layer: 'errors', visible: 'showErrors', opacity: 'errorsOpacity' },
  { layer: 'uncertainty', visible: 'showUncertainty', opacity: 'uncertaintyOpacity' },
];

/** The view settings the project keeps (its typed list), as the scene has them now. */
export function viewSettingsOf(s: SceneState): StudioViewSettings {
  const settings: StudioViewSettings = {
    // The image shown, not one still loading: a failed load leaves the saved choice alone.
    selectedImage: s.current?.id ?? null,
    referenceObserver: s.observer,
  };
  for (const entry of LAYER_SETTINGS) {
    const layer = s.layers.find((l) => l.id === entry.layer)!;
    settings[entry.visible] = layer.visible;
    if (entry.opacity) settings[entry.opacity] = layer.opacity;
  }
  settings.displayThreshold = s.threshold;
  settings.brushSize = s.brushSize;
  return settings;
}

/** Puts saved view settings into the scene; keys missing or of the wrong type keep their value. */
export function applyViewSettings(scene: Scene, v: StudioViewSettings): void {
  // The engine sends only valid values, but a reply is data from outside: check each type.
  const num = (key: SettingKeyOf<number>, fallback: number) => {
    const value: unknown = v[key];
    return typeof value === 'number' ? value : fallback;
  };
  const bool = (key: SettingKeyOf<boolean>, fallback: boolean) => {
    const value: unknown = v[key];
    return typeof value === 'boolean' ? value : fallback;
  };
  const s = scene.state;
  scene.set({
    layers: s.layers.map((layer) => {
      const entry = LAYER_SETTINGS.find((e) => e.layer === layer.id);
      if (!entry) return layer;
      return {
        ...layer,
        visible: bool(entry.visible, layer.visible),
        opacity: entry.opacity ? num(entry.opacity, layer.opacity) : layer.opacity,
      };
    }),
    threshold: num('displayThreshold', s.threshold),
    brushSize: num('brushSize', s.brushSize),
    observer: v.referenceObserver === '2nd' ? '2nd' : '1st',
  });
}

function sameSettings(a: StudioViewSettings, b: StudioViewSettings): boolean {
  const keys = Object.keys(a) as StudioViewSettingKey[];
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * Keeps the open project's view settings: restores them when a session opens and, while one
 * is open, saves them `delayMs` after the last change, so a slider drag is one write.
 */
export class ViewSettingsKeeper {
  private last: StudioViewSettings | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private restoring = false;

  constructor(
    private readonly client: PersistenceClient,
    private readonly scene: Scene,
    private readonly delayMs = 400,
  ) {}

  /** Watches the scene for changes of the kept settings; returns the unsubscribe. */
  start(): () => void {
    const off = this.scene.subscribe(() => this.onChange());
    return () => {
      off();
      this.cancel();
    };
  }

  /** Loads the project's settings into the scene; returns them (null when they failed). */
  async restore(): Promise<StudioViewSettings | null> {
    this.cancel();
    this.restoring = true;
    try {
      const result = await this.client.viewSettings({});
      if (result.ok) applyViewSettings(this.scene, result.value);
      // What the scene shows now is what the project has: nothing to write back.
      this.last = viewSettingsOf(this.scene.state);
      return result.ok ? result.value : null;
    } finally {
      this.restoring = false;
    }
  }

  private onChange(): void {
    if (this.restoring || !this.scene.state.session) return;
    if (this.last && sameSettings(viewSettingsOf(this.scene.state), this.last)) return;
    this.cancel();
    this.timer = setTimeout(() => this.save(), this.delayMs);
  }

  private save(): void {
    this.timer = null;
    if (!this.scene.state.session) return;
    const settings = viewSettingsOf(this.scene.state);
    if (this.last && sameSettings(settings, this.last)) return;
    this.last = settings;
    void this.client.saveViewSettings({ settings });
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
