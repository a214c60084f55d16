import { useState } from 'react';
import { useConnection } from '../api/client';
import type { StudioController } from '../state/studio-controller';
import { useStore } from '../state/use-store';
import { FolderBrowser, type BrowserChoice } from './FolderBrowser';
import { Modal } from './Modal';
import { parentOf } from './path-text';
import { RecentProjects } from './RecentProjects';
import './files.css';

/**
 * Opens a path as typed: `~` is expanded by the engine first (it knows the home folder), an
 * absolute path goes to the studio as it is, and a relative one gets the engine's refusal.
 */
export async function openTypedPath(controller: StudioController, typed: string): Promise<void> {
  const text = typed.trim();
  if (text === '' || text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text)) {
    await controller.open(text);
    return;
  }
  const resolved = await controller.api.files.resolve({ path: text });
  if (!resolved.ok) {
    controller.scene.set({ openError: `${resolved.error.code}: ${resolved.error.message}` });
    return;
  }
  await controller.open(resolved.value.path);
}

/** Opens what the folder browser chose: a dataset folder or a project file. */
export function openChoice(controller: StudioController, choice: BrowserChoice): void {
  if (choice.kind === 'project') void controller.openWith({ projectPath: choice.path });
  else if (choice.kind === 'dataset') void controller.openWith({ datasetPath: choice.path });
}

/**
 * Open: a typed path (Enter opens it), the recent projects, and the engine's folder browser,
 * which marks the datasets among the folders. The desktop app also offers its native dialogs.
 */
export function OpenDialog({ controller }: { controller: StudioController }) {
  const { scene, api } = controller;
  const desktop = useConnection().transport === 'ipc';
  const open = useStore(scene, (s) => s.openDialog);
  const opening = useStore(scene, (s) => s.opening);
  const error = useStore(scene, (s) => s.openError);
  const session = useStore(scene, (s) => s.session);
  const [path, setPath] = useState('');
  if (!open) return null;

  const native = async (purpose: 'dataset' | 'project') => {
    const chosen = await api.shell.openDialog({ purpose });
    if (!chosen.ok) scene.set({ openError: `${chosen.error.code}: ${chosen.error.message}` });
    else if (!chosen.value.canceled) void controller.open(chosen.value.path);
  };

  return (
    <Modal
      titleId="open-title"
      testId="open-dialog"
      onEscape={() => scene.set({ openDialog: false })}
    >
      <h2 id="open-title">Open a dataset or project</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void openTypedPath(controller, path);
        }}
      >
        <label htmlFor="open-path">
          Path of a dataset folder (DRIVE layout and others) or a <code>.vessel</code> project file:
          absolute, or starting with <code>~</code> for your home folder
        </label>
        <div className="row">
          <input
            id="open-path"
            data-testid="open-path"
            autoFocus
            value={path}
            spellCheck={false}
            onFocus={(e) => e.target.select()}
            placeholder="~/datasets/DRIVE"
            onChange={(e) => setPath(e.target.value)}
          />
          <button type="submit" disabled={opening} data-testid="open-submit">
            {opening ? 'Opening…' : 'Open'}
          </button>
        </div>
      </form>
      {error && (
        <p className="error" role="alert" data-testid="open-error">
          {error}
        </p>
      )}
      {desktop && (
        <div className="row">
          <button type="button" onClick={() => void native('dataset')}>
            Choose a dataset folder…
          </button>
          <button type="button" onClick={() => void native('project')}>
            Choose a project file…
          </button>
        </div>
      )}
      <h3>Recent projects</h3>
      <RecentProjects busy={opening} onOpen={(target) => void controller.openWith(target)} />
      <h3>Browse</h3>
      <FolderBrowser
        purpose="open"
        start={session ? parentOf(session.datasetRoot) : undefined}
        busy={opening}
        onChoose={(choice) => openChoice(controller, choice)}
      />
      <div className="row end">
        <button type="button" onClick={() => scene.set({ openDialog: false })}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
