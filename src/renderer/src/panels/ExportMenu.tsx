import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { ExportKind, FilesExport } from '../../../shared/api/files';
import { useConnection } from '../api/client';
import { setExportOpener } from '../state/commands';
import type { StudioController } from '../state/studio-controller';
import { useStore } from '../state/use-store';
import { FolderBrowser } from './FolderBrowser';
import { Modal } from './Modal';
import { parentOf } from './path-text';
import './files.css';

const ITEMS: { kind: ExportKind; label: string; hint: string }[] = [
  {
    kind: 'masks',
    label: 'Corrected masks…',
    hint: 'every corrected mask as a PNG, in the dataset layout',
  },
  {
    kind: 'metrics',
    label: 'Metrics…',
    hint: 'the evaluations as CSV and JSON, ROC and PR plots as SVG and PNG',
  },
  { kind: 'model', label: 'Active model version…', hint: 'a TensorFlow.js model folder' },
];

type Stage =
  | { step: 'idle' }
  | { step: 'choose-folder'; kind: ExportKind }
  | { step: 'writing'; kind: ExportKind }
  | { step: 'done'; report: FilesExport }
  | { step: 'failed'; message: string };

/** The dialog's last row once the export has ended: one focused Close button. */
function CloseRow({ onClose }: { onClose: () => void }) {
  return (
    <div className="row end">
      <button type="button" autoFocus onClick={onClose}>
        Close
      </button>
    </div>
  );
}

/**
 * Export in the header: the corrected masks, the metrics or the active model version, each into
 * a new folder. The desktop app asks where with its native folder dialog; browser mode with the
 * engine's folder browser, starting beside the project. Afterwards it says where it wrote.
 */
export function ExportMenu({ controller }: { controller: StudioController }) {
  const { api, scene } = controller;
  const desktop = useConnection().transport === 'ipc';
  const session = useStore(scene, (s) => s.session);
  const [menuOpen, setMenuOpen] = useState(false);
  const [stage, setStage] = useState<Stage>({ step: 'idle' });
  const menuRef = useRef<HTMLDivElement>(null);

  // The Export command (its key and the shortcut sheet) opens this menu.
  useEffect(() => {
    setExportOpener(() => setMenuOpen(true));
    return () => setExportOpener(null);
  }, []);

  useEffect(() => {
    if (menuOpen) menuRef.current?.querySelector<HTMLButtonElement>('[role=menuitem]')?.focus();
  }, [menuOpen]);

  if (!session) return null;
  const modelId = session.model?.id;

  const write = async (kind: ExportKind, folder?: string) => {
    setStage({ step: 'writing', kind });
    const result = await api.files.export({
      kind,
      ...(folder === undefined ? {} : { folder }),
      ...(kind === 'model' && modelId !== undefined ? { modelId } : {}),
    });
    setStage(
      result.ok
        ? { step: 'done', report: result.value }
        : { step: 'failed', message: `${result.error.code}: ${result.error.message}` },
    );
  };

  const choose = async (kind: ExportKind) => {
    setMenuOpen(false);
    if (!desktop) {
      setStage({ step: 'choose-folder', kind });
      return;
    }
    const chosen = await api.shell.openDialog({ purpose: 'export-folder' });
    if (!chosen.ok) setStage({ step: 'failed', message: chosen.error.message });
    else if (!chosen.value.canceled) await write(kind, chosen.value.path);
  };

  const onMenuKey = (e: KeyboardEvent) => {
    const items = [
      ...(menuRef.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]') ?? []),
    ];
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') setMenuOpen(false);
    else if (e.key === 'ArrowDown') items[(index + 1) % items.length]?.focus();
    else if (e.key === 'ArrowUp') items[(index - 1 + items.length) % items.length]?.focus();
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  const close = () => setStage({ step: 'idle' });
  const kindLabel = (kind: ExportKind) =>
    ITEMS.find((i) => i.kind === kind)!.label.replace('…', '');

  return (
    <div className="export-menu">
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={menuOpen}
        data-testid="export-button"
        onClick={() => setMenuOpen((v) => !v)}
      >
        Export ▾
      </button>
      {menuOpen && (
        <div ref={menuRef} role="menu" aria-label="Export" onKeyDown={onMenuKey}>
          {ITEMS.map((item) => (
            <button
              key={item.kind}
              type="button"
              role="menuitem"
              title={item.hint}
              data-testid={`export-${item.kind}`}
              disabled={item.kind === 'model' && modelId === undefined}
              onClick={() => void choose(item.kind)}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
      {stage.step !== 'idle' && (
        <Modal
          titleId="export-title"
          testId="export-dialog"
          onEscape={() => {
            if (stage.step !== 'writing') close();
          }}
        >
          {stage.step === 'choose-folder' && (
            <>
              <h2 id="export-title">Export {kindLabel(stage.kind).toLowerCase()}: where?</h2>
              <p className="muted small">
                A new folder named after the project and the time is made in the folder you choose;
                nothing is overwritten.
              </p>
              <FolderBrowser
                purpose="folder"
                start={parentOf(session.projectFile)}
                chooseLabel="Export here"
                onChoose={(choice) => void write(stage.kind, choice.path)}
              />
              <div className="row end">
                <button type="button" onClick={close}>
                  Cancel
                </button>
              </div>
            </>
          )}
          {stage.step === 'writing' && (
            <>
              <h2 id="export-title">Exporting {kindLabel(stage.kind).toLowerCase()}…</h2>
              <p role="status">Writing the files.</p>
            </>
          )}
          {stage.step === 'done' && (
            <div className="export-result" data-testid="export-result">
              <h2 id="export-title">Exported {kindLabel(stage.report.kind).toLowerCase()}</h2>
              <p role="status">
                Wrote {stage.report.files.length} file{stage.report.files.length === 1 ? '' : 's'}{' '}
                to <code data-testid="export-dir">{stage.report.dir}</code>
              </p>
              <ul data-testid="export-files">
                {stage.report.files.map((file) => (
                  <li key={file}>{file}</li>
                ))}
              </ul>
              {stage.report.damaged.length > 0 && (
                <p className="error" role="alert">
                  Left out {stage.report.damaged.length} damaged mask
                  {stage.report.damaged.length === 1 ? '' : 's'}:{' '}
                  {stage.report.damaged.map((d) => d.imageKey).join(', ')} (run{' '}
                  <code>project info --check</code> for details).
                </p>
              )}
              <CloseRow onClose={close} />
            </div>
          )}
          {stage.step === 'failed' && (
            <>
              <h2 id="export-title">Export failed</h2>
              <p className="error" role="alert" data-testid="export-error">
                {stage.message}
              </p>
              <CloseRow onClose={close} />
            </>
          )}
        </Modal>
      )}
    </div>
  );
}
