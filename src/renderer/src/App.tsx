import { useCallback, useEffect, useMemo, useState } from 'react';
import type { RetrainScope } from '../../shared/api/training';
import type { VesselApi } from '../../shared/api';
import { useApi } from './api/client';
import { isTextField } from './canvas/focus';
import { StudioCanvas } from './canvas/StudioCanvas';
import { ImageList } from './panels/ImageList';
import { ExportMenu } from './panels/ExportMenu';
import { FirstScreen } from './panels/FirstScreen';
import { OpenDialog } from './panels/OpenDialog';
import { ProjectLocation } from './panels/ProjectLocation';
import { ShortcutSheet } from './panels/ShortcutSheet';
import { SidePanel } from './panels/SidePanel';
import { EvaluationPanel } from './evaluation/EvaluationPanel';
import { StatusBar } from './shell/StatusBar';
import { commandForKey } from './state/commands';
import { StudioController } from './state/studio-controller';
import { useStoreFields } from './state/use-store';
import { TrainingSidebar } from './training/TrainingSidebar';
import { useModels } from './training/useModels';

/** The tabs of the main region, in order. */
const MAIN_TABS = [
  { id: 'canvas', label: 'Canvas' },
  { id: 'evaluation', label: 'Evaluation' },
] as const;
type MainTab = (typeof MAIN_TABS)[number]['id'];

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/**
 * File > Export: the person picks a folder, the project goes into a new subfolder of it
 * (masks in the dataset layout, metrics CSV, model folders).
 */
async function exportProject(api: VesselApi, show: (text: string) => void): Promise<void> {
  const folder = await api.shell.openDialog({ purpose: 'export-folder' });
  if (!folder.ok || folder.value.canceled) return;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const result = await api.studio.export({ dir: `${folder.value.path}/vessel-export-${stamp}` });
  show(
    result.ok
      ? `Exported ${result.value.masks.length} masks, ${result.value.metrics.length} metric files and ${result.value.models.length} models to ${result.value.dir}`
      : `Export failed: ${result.error.message}`,
  );
}

/** The studio: image list, canvas, side panel and status bar. */
export function App() {
  const api = useApi();
  const controller = useMemo(() => new StudioController(api), [api]);
  const { scene } = controller;
  const { session, save, current, loadError, view, tool, brushSize } = useStoreFields(scene, [
    'session',
    'save',
    'current',
    'loadError',
    'view',
    'tool',
    'brushSize',
  ]);
  const [mainTab, setMainTab] = useState<MainTab>('canvas');
  const [notice, setNotice] = useState<string | null>(null);
  const models = useModels();
  const retrainAction = useCallback(
    (action: ((scope: RetrainScope) => void) | null) => controller.attachRetrain(action),
    [controller],
  );

  // A new or re-activated model version: refresh the list's figures and the shown prediction.
  useEffect(
    () =>
      api.on('models.changed', () => {
        void controller.refreshImages();
        const id = controller.state.selectedId;
        if (id) void controller.selectImage(id);
      }),
    [api, controller],
  );

  // A session already open in the engine (page reload) or opened from the desktop menu.
  useEffect(() => {
    void controller.resume();
    const offOpened = api.on('studio.opened', (info) => {
      const s = controller.state;
      if (!s.opening && s.session?.projectFile !== info.projectFile) void controller.resume();
    });
    // Files handed to the desktop app: at launch (before this page listened) and later.
    void api.shell.takeOpenedFiles({}).then((r) => {
      const last = r.ok ? r.value.paths.at(-1) : undefined;
      if (last) void controller.open(last);
    });
    const offFile = api.on('shell.openFile', ({ path }) => void controller.open(path));
    const offMenu = api.on('shell.menu', ({ command, path }) => {
      if ((command === 'dataset.openFolder' || command === 'project.open') && path) {
        void controller.open(path);
        return;
      }
      if (command === 'project.new' && path) {
        // The new project file is chosen; its dataset folder comes next.
        void api.shell.openDialog({ purpose: 'dataset' }).then((r) => {
          if (r.ok && !r.value.canceled) {
            void controller.openWith({ datasetPath: r.value.path, projectPath: path });
          }
        });
        return;
      }
      if (command === 'export') {
        void exportProject(api, setNotice);
        return;
      }
      // Undo, layers, zoom and the sheet: the registry knows which menu item is which command.
      controller.runMenu(command);
    });
    return () => {
      offOpened();
      offFile();
      offMenu();
    };
  }, [api, controller]);

  // Every main action by keyboard, from the shortcut table.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = controller.state;
      if (e.key === 'Escape') {
        controller.scene.escape();
        return;
      }
      if (isTextField(e.target) || s.openDialog) return;
      if (e.key === 'Enter' && s.polygon.length > 0) {
        e.preventDefault();
        controller.closePolygon(e.altKey);
        return;
      }
      const command = commandForKey(e, isMac);
      if (!command) return;
      e.preventDefault();
      command.perform(controller);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [controller]);

  // Nothing lost on close: warn while a save is still running.
  useEffect(() => {
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (controller.state.save.state === 'saving') e.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [controller]);

  return (
    <div className="app-shell">
      <header className="app-header">
        <span className="app-title">Vessel Studio</span>
        <button
          type="button"
          onClick={() => controller.run('dataset.open')}
          data-testid="open-button"
        >
          Open…
        </button>
        <ExportMenu controller={controller} />
        {session && <ProjectLocation session={session} />}
        <span className="spacer" />
        {current && (
          <span className="muted" data-testid="image-info">
            {current.id} · {current.width}×{current.height} · {Math.round(view.zoom * 100)}% ·{' '}
            {tool} {tool === 'brush' || tool === 'eraser' ? `${brushSize}px` : ''}
          </span>
        )}
        {notice && (
          <span className="muted" role="status" data-testid="notice">
            {notice}
          </span>
        )}
        <span className={`save-state save-${save.state}`} data-testid="save-state" role="status">
          {save.message}
        </span>
        <button type="button" className="link" onClick={() => controller.run('help.shortcuts')}>
          Shortcuts <kbd>?</kbd>
        </button>
      </header>
      <nav className="region region-images" aria-label="Images">
        <h2 className="region-title">Images</h2>
        <ImageList controller={controller} />
      </nav>
      <main className="region region-canvas" aria-label="Canvas">
        <div className="main-tabs" role="tablist" aria-label="Main view">
          {MAIN_TABS.map(({ id, label }) => (
            <button
              key={id}
              type="button"
              role="tab"
              aria-selected={mainTab === id}
              data-testid={`tab-${id}`}
              onClick={() => setMainTab(id)}
            >
              {label}
            </button>
          ))}
        </div>
        <div className="main-pane" hidden={mainTab !== 'canvas'}>
          <StudioCanvas controller={controller} />
          {!current && !loadError && session && (
            <p className="empty-hint canvas-hint">Loading image…</p>
          )}
          {!session && <FirstScreen controller={controller} />}
          {loadError && (
            <p className="error canvas-hint" role="alert">
              {loadError}
            </p>
          )}
        </div>
        {mainTab === 'evaluation' && (
          <div className="main-pane evaluation-pane">
            {session ? (
              <EvaluationPanel models={models.models} />
            ) : (
              <p className="empty-hint">Open a dataset to evaluate its model versions.</p>
            )}
          </div>
        )}
      </main>
      <aside className="region region-side" aria-label="Layers and tools">
        <SidePanel controller={controller} />
        {session && (
          <TrainingSidebar
            models={models.models}
            error={models.error}
            onRetrainAction={retrainAction}
          />
        )}
      </aside>
      <StatusBar />
      <OpenDialog controller={controller} />
      <ShortcutSheet controller={controller} isMac={isMac} />
    </div>
  );
}
