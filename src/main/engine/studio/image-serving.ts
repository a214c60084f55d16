/**
 * The dataset's images as the studio serves them: pixels as PNG and the labels and FOV as mask
 * runs, each kept for the few images around the one on screen. Opening an image starts
 * preparing its neighbours in dataset order, so stepping through the list finds them ready.
 */
import type { StudioImagePixels, StudioLabels, StudioThumbnail } from '../../../shared/api/studio';
import { encodeMaskRuns } from '../../../shared/mask-runs';
import { AppError } from '../../../shared/result';
import {
  allEntries,
  loadFov,
  loadLabel,
  loadRgb,
  type DatasetIndex,
  type ImageEntry,
} from '../dataset';
import { STUDIO_ERROR_CODES } from './errors';
import { rgbPng, thumbnailJpeg } from './png';
import { RecentCache } from './recent-cache';

/** Other per-image work to start for a neighbour (the session adds the active prediction). */
export type NeighbourWork = (id: string) => Promise<unknown>;

/** Serves an open dataset's images, labels and FOV masks through small caches. */
export class ImageServing {
  private readonly entries: Map<string, ImageEntry>;
  private readonly imageCache = new RecentCache<StudioImagePixels>(6);
  private readonly labelCache = new RecentCache<StudioLabels>(6);
  // Larger: the figures of every listed image read the FOV, and a mask is small.
  private readonly fovCache = new RecentCache<Uint8Array>(64);
  // Thumbnails are a few kilobytes each: the list's worth stays.
  private readonly thumbnailCache = new RecentCache<StudioThumbnail>(1024);

  constructor(
    readonly dataset: DatasetIndex,
    private readonly neighbourWork: NeighbourWork = () => Promise.resolve(),
  ) {
    this.entries = new Map(allEntries(dataset).map((e) => [e.id, e]));
  }

  /** How many images the dataset has. */
  get size(): number {
    return this.entries.size;
  }

  /** Every image of the dataset, in dataset order. */
  all(): IterableIterator<ImageEntry> {
    return this.entries.values();
  }

  /** The dataset's image `id`; throws STUDIO_UNKNOWN_IMAGE when there is none. */
  entry(id: string): ImageEntry {
    const entry = this.entries.get(id);
    if (!entry) {
      throw new AppError(
        STUDIO_ERROR_CODES.UNKNOWN_IMAGE,
        `The dataset ${this.dataset.root} has no image "${id}": pick one from the image list.`,
      );
    }
    return entry;
  }

  /**
   * An image's pixels as an RGB PNG; by default also starts preparing its neighbours. Async, as
   * every request here, so an unknown id rejects rather than throwing at the call.
   */
  async image(id: string, prefetchNeighbours = true): Promise<StudioImagePixels> {
    const entry = this.entry(id);
    if (prefetchNeighbours) this.prefetchAround(id);
    return this.imageCache.get(id, async () => {
      const rgb = await loadRgb(entry);
      return {
        id,
        width: rgb.width,
        height: rgb.height,
        png: await rgbPng(rgb.data, rgb.width, rgb.height),
      };
    });
  }

  /** A small JPEG of an image for the image list, made once per session. */
  async thumbnail(id: string): Promise<StudioThumbnail> {
    const entry = this.entry(id);
    return this.thumbnailCache.get(id, async () => {
      const rgb = await loadRgb(entry);
      return { id, ...(await thumbnailJpeg(rgb.data, rgb.width, rgb.height)) };
    });
  }

  /** An image's 1st and 2nd observer labels and FOV, as mask runs. */
  async labels(id: string): Promise<StudioLabels> {
    const entry = this.entry(id);
    return this.labelCache.get(id, async () => {
      const { width, height } = entry;
      const first = await loadLabel(entry, '1st');
      const second = entry.labelPaths['2nd'] ? await loadLabel(entry, '2nd') : null;
      const fov = await this.fov(entry);
      return {
        id,
        width,
        height,
        firstObserver: encodeMaskRuns(first),
        secondObserver: second ? encodeMaskRuns(second) : null,
        fov: encodeMaskRuns(fov),
        fovDerived: entry.fovDerived,
      };
    });
  }

  /** An image's FOV mask as 0/1 pixels (the dataset's, or derived from the image). */
  fov(entry: ImageEntry): Promise<Uint8Array> {
    return this.fovCache.get(entry.id, () => loadFov(entry));
  }

  /**
   * Starts preparing the images next to `id` in dataset order (pixels, labels and the
   * neighbour work), each on a later turn so the request for `id` is answered first. Failures
   * are dropped here; the real request reports them.
   */
  private prefetchAround(id: string): void {
    const ids = [...this.entries.keys()];
    const at = ids.indexOf(id);
    for (const near of [ids[at + 1], ids[at - 1]]) {
      if (near === undefined) continue;
      setImmediate(() => {
        void this.image(near, false).catch(() => undefined);
        void this.labels(near).catch(() => undefined);
        void this.neighbourWork(near).catch(() => undefined);
      });
    }
  }
}
