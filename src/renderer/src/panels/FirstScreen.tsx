import type { StudioController } from '../state/studio-controller';
import { useStore } from '../state/use-store';
import { FolderBrowser } from './FolderBrowser';
import { openChoice } from './OpenDialog';
import { RecentProjects } from './RecentProjects';
import './files.css';

/**
 * What the studio shows while nothing is open: the recent projects (click to reopen) and the
 * folder browser, which marks datasets and says where a dataset's project will be written.
 */
export function FirstScreen({ controller }: { controller: StudioController }) {
  const { scene } = controller;
  const opening = useStore(scene, (s) => s.opening);
  const error = useStore(scene, (s) => s.openError);
  const dialogOpen = useStore(scene, (s) => s.openDialog);
  return (
    <section
      className="first-screen"
      aria-labelledby="first-screen-title"
      data-testid="first-screen"
    >
      <h2 id="first-screen-title">Open a dataset or project</h2>
      {opening && <p role="status">Opening…</p>}
      {error && !dialogOpen && (
        <p className="error" role="alert" data-testid="first-screen-error">
          {error}
        </p>
      )}
      <h3>Recent projects</h3>
      <RecentProjects busy={opening} onOpen={(target) => void controller.openWith(target)} />
      <h3>Browse for a dataset folder or a .vessel file</h3>
      {/* Hidden while the dialog is up, so one browser has the keyboard. */}
      {!dialogOpen && (
        <FolderBrowser
          purpose="open"
          busy={opening}
          onChoose={(choice) => openChoice(controller, choice)}
        />
      )}
    </section>
  );
}
