import { useState } from 'react';
import type { StudioController } from '../state/studio-controller';
import { useStore } from '../state/use-store';

/**
 * Browser mode has no native dialog: the person types the path of a dataset folder or a
 * .vessel project file. The desktop app's menu calls the same request with a chosen path.
 */
export function OpenDialog({ controller }: { controller: StudioController }) {
  const { scene } = controller;
  const open = useStore(scene, (s) => s.openDialog);
  const opening = useStore(scene, (s) => s.opening);
  const error = useStore(scene, (s) => s.openError);
  const [path, setPath] = useState('');
  if (!open) return null;
  return (
    <div className="modal-backdrop">
      <form
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby="open-title"
        data-testid="open-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void controller.open(path);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') scene.set({ openDialog: false });
        }}
      >
        <h2 id="open-title">Open a dataset or project</h2>
        <label htmlFor="open-path">
          Path of a dataset folder (DRIVE layout and others) or a <code>.vessel</code> project file
        </label>
        <input
          id="open-path"
          data-testid="open-path"
          autoFocus
          value={path}
          onFocus={(e) => e.target.select()}
          placeholder="/path/to/DRIVE"
          onChange={(e) => setPath(e.target.value)}
        />
        {error && (
          <p className="error" role="alert" data-testid="open-error">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" onClick={() => scene.set({ openDialog: false })}>
            Cancel
          </button>
          <button type="submit" disabled={opening} data-testid="open-submit">
            {opening ? 'Opening…' : 'Open'}
          </button>
        </div>
      </form>
    </div>
  );
}
