import type { StudioController } from '../state/studio-controller';
import { useStore } from '../state/use-store';

function figure(value: number | null): string {
  return value === null ? '–' : value.toFixed(3);
}

/** The images of the dataset: split, corrected or not, the model's F1/AUC, and the order. */
export function ImageList({ controller }: { controller: StudioController }) {
  const { scene } = controller;
  const images = useStore(scene, (s) => s.images);
  const sortBy = useStore(scene, (s) => s.sortBy);
  const selectedId = useStore(scene, (s) => s.selectedId);
  const orderNote = useStore(scene, (s) => s.orderNote);
  const session = useStore(scene, (s) => s.session);
  // Recomputed on every render: the list is at most a few hundred rows.
  const ordered = sortBy === 'dataset' ? images : scene.orderedImages();

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
  return (
    <div className="image-list">
      <div className="image-list-head">
        <label>
          Order{' '}
          <select
            value={sortBy}
            data-testid="image-order"
            onChange={(e) => scene.set({ sortBy: e.target.value as 'dataset' | 'correctNext' })}
          >
            <option value="dataset">Dataset</option>
            <option value="correctNext">Correct next</option>
          </select>
        </label>
        <span className="muted" title={orderNote}>
          {images.length} images
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
              onClick={() => void controller.selectImage(image.id)}
            >
              <span
                className={image.corrected ? 'dot corrected' : 'dot'}
                title={image.corrected ? 'Corrected' : 'Not corrected'}
              />
              <span className="image-name">{image.name}</span>
              <span className="badge">{image.split}</span>
              <span
                className="figures"
                title="F1 / AUC of the active model against the current mask"
              >
                {figure(image.f1)} / {figure(image.auc)}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
