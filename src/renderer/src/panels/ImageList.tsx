import { useEffect, useRef, useState } from 'react';
import type { VesselApi } from '../../../shared/api';
import { ALL_SPLITS, imageSplits, type ImageOrder } from '../state/scene';
import type { StudioController } from '../state/studio-controller';
import { useStoreFields } from '../state/use-store';

function figure(value: number | null): string {
  return value === null ? '–' : value.toFixed(3);
}

const ORDER_NAMES: Record<ImageOrder, string> = {
  dataset: 'Dataset',
  correctNext: 'Correct next',
  uncertain: 'Most uncertain first',
};

/** Waits this long after the threshold last moved before asking for scores at the new one. */
const RESCORE_DELAY_MS = 250;

/**
 * The images of the dataset: a thumbnail, split, corrected or not, the model's F1/AUC; a split
 * filter and the order (dataset, correct next, most uncertain first at the display threshold).
 */
export function ImageList({ controller }: { controller: StudioController }) {
  const { scene } = controller;
  const { images, sortBy, splitFilter, threshold, selectedId, orderNote, session } = useStoreFields(
    scene,
    ['images', 'sortBy', 'splitFilter', 'threshold', 'selectedId', 'orderNote', 'session'],
  );
  // Recomputed on every render: the list is at most a few hundred rows.
  const ordered = scene.orderedImages();
  const splits = imageSplits(images);

  // The scores are the engine's at one threshold: ask again when it moves under this order.
  const scoredAt = useRef<number | null>(null);
  useEffect(() => {
    if (sortBy !== 'uncertain' || scoredAt.current === threshold) return;
    const timer = setTimeout(() => {
      scoredAt.current = threshold;
      void controller.refreshImages();
    }, RESCORE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [controller, sortBy, threshold]);

  if (!session) {
    return (
      <div className="image-list-empty">
        <p className="empty-hint">Open a dataset folder to list its images.</p>
        <button type="button" onClick={() => controller.run('dataset.open')}>
          Open dataset… <kbd>Ctrl+O</kbd>
        </button>
      </div>
    );
  }
  const noted = sortBy === 'uncertain' ? uncertainNote(threshold) : orderNote;
  return (
    <div className="image-list">
      <div className="image-list-head" style={{ flexWrap: 'wrap', gap: 6 }}>
        <label>
          Order{' '}
          <select
            value={sortBy}
            data-testid="image-order"
            title={noted}
            onChange={(e) => scene.set({ sortBy: e.target.value as ImageOrder })}
          >
            {(Object.keys(ORDER_NAMES) as ImageOrder[]).map((order) => (
              <option key={order} value={order}>
                {ORDER_NAMES[order]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Split{' '}
          <select
            value={splitFilter}
            data-testid="image-split"
            onChange={(e) => scene.set({ splitFilter: e.target.value })}
          >
            <option value={ALL_SPLITS}>All</option>
            {splits.map((split) => (
              <option key={split} value={split}>
                {split}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" title={noted} data-testid="image-count">
          {ordered.length === images.length
            ? `${images.length} images`
            : `${ordered.length} of ${images.length} images`}
        </span>
      </div>
      <ul role="listbox" aria-label="Images" data-testid="image-list">
        {ordered.map((image) => (
          <li key={image.id}>
            <button
              type="button"
              role="option"
              aria-selected={image.id === selectedId}
              className={image.id === selectedId ? 'image-row selected' : 'image-row'}
              data-image-id={image.id}
              style={{ gridTemplateColumns: '10px 48px 1fr auto' }}
              onClick={() => void controller.selectImage(image.id)}
            >
              <span
                className={image.corrected ? 'dot corrected' : 'dot'}
                title={image.corrected ? 'Corrected' : 'Not corrected'}
              />
              <Thumbnail
                api={controller.api}
                project={session.projectFile}
                id={image.id}
                name={image.name}
              />
              <span className="image-name">{image.name}</span>
              <span className="badge">{image.split}</span>
              <span
                className="figures"
                style={{ gridColumn: '3 / span 2' }}
                title="F1 / AUC of the active model against the current mask; u: mean uncertainty inside the FOV at the display threshold"
              >
                {figure(image.f1)} / {figure(image.auc)}
                {sortBy === 'uncertain' && (
                  <span data-testid="uncertainty-score"> · u {figure(image.uncertaintyScore)}</span>
                )}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function uncertainNote(threshold: number): string {
  return `Most uncertain first: mean uncertainty inside the FOV at threshold ${threshold.toFixed(2)} (1 at the threshold, 0 at p = 0 or 1), of the active model's cached predictions; images without one last.`;
}

/** Object URLs of thumbnails already fetched, by project and image (kept for the page's life). */
const thumbnailUrls = new Map<string, string>();

/** An image's thumbnail, fetched from the engine when its row first scrolls into view. */
function Thumbnail(props: { api: VesselApi; project: string; id: string; name: string }) {
  const { api, project, id, name } = props;
  const key = `${project}\u0000${id}`;
  // Set when a fetch for this row finishes; the cache answers for thumbnails fetched before.
  const [fetched, setFetched] = useState<{ key: string; url: string } | null>(null);
  const url = fetched?.key === key ? fetched.url : (thumbnailUrls.get(key) ?? null);
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (thumbnailUrls.has(key)) return;
    const el = ref.current;
    if (!el) return;
    let cancelled = false;
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      observer.disconnect();
      void api.studio.thumbnail({ id }).then((result) => {
        if (!result.ok) return;
        const blob = new Blob([result.value.jpeg as Uint8Array<ArrayBuffer>], {
          type: 'image/jpeg',
        });
        const made = URL.createObjectURL(blob);
        thumbnailUrls.set(key, made);
        if (!cancelled) setFetched({ key, url: made });
      });
    });
    observer.observe(el);
    return () => {
      cancelled = true;
      observer.disconnect();
    };
  }, [api, key, id]);
  return (
    <span
      ref={ref}
      className="thumbnail"
      style={{ gridRow: '1 / span 2', width: 48, height: 36, alignSelf: 'center' }}
    >
      {url && (
        <img
          src={url}
          alt={`Thumbnail of ${name}`}
          data-testid="thumbnail"
          width={48}
          height={36}
          style={{ objectFit: 'cover', display: 'block', borderRadius: 2 }}
        />
      )}
    </span>
  );
}
