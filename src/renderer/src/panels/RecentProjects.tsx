import { useEffect, useState } from 'react';
import type { RecentProject } from '../../../shared/api/files';
import { useApi } from '../api/client';
import { baseName, datasetBadge } from './path-text';
import './files.css';

/** `5 Dec 2026, 03:21`: when a project was opened, in the person's locale. */
function openedWhen(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The projects opened lately (from the engine's list, kept in the app's data folder): what was
 * opened, when, its dataset, and whether both are still there. A click reopens one; a project
 * whose file is gone can open its dataset again (a new project), and any can be forgotten.
 */
export function RecentProjects({
  onOpen,
  busy,
}: {
  onOpen(target: { projectPath?: string; datasetPath?: string }): void;
  busy?: boolean;
}) {
  const api = useApi();
  const [projects, setProjects] = useState<RecentProject[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const [tick, setTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    void api.files.recentProjects({}).then((result) => {
      if (cancelled) return;
      if (result.ok) {
        setProjects(result.value.projects);
        setError(null);
      } else setError(result.error.message);
    });
    return () => {
      cancelled = true;
    };
  }, [api, tick]);

  // A project opened from anywhere (this list, the browser, the desktop menu) moves to the top.
  useEffect(() => api.on('studio.opened', () => setTick((t) => t + 1)), [api]);

  const forget = async (projectFile: string) => {
    const result = await api.files.forgetRecentProject({ projectFile });
    if (result.ok) setProjects(result.value.projects);
    else setError(result.error.message);
  };

  if (error) {
    return (
      <p className="error" role="alert">
        Recent projects could not be read: {error}
      </p>
    );
  }
  if (projects === null) return null;
  if (projects.length === 0) {
    return (
      <p className="muted" data-testid="recent-projects-empty">
        No recent projects yet: open a dataset folder below and its project appears here.
      </p>
    );
  }
  return (
    <ul className="recent-projects" aria-label="Recent projects" data-testid="recent-projects">
      {projects.map((p) => {
        const dataset = p.layout
          ? `${datasetBadge({ layout: p.layout, images: p.imageCount })}`
          : '';
        // Listed by an older version's Open Recent: its dataset is known once it is opened.
        const unknownDataset = p.datasetRoot === '';
        const problem = !p.projectExists
          ? p.datasetExists
            ? 'The project file is gone; opening makes a new project for the dataset.'
            : 'The project file and its dataset are gone.'
          : !p.datasetExists && !unknownDataset
            ? 'Its dataset folder is gone (moved?): relocate it with the command line (project relocate).'
            : null;
        const target = p.projectExists
          ? { projectPath: p.projectFile }
          : p.datasetExists
            ? { datasetPath: p.datasetRoot }
            : null;
        return (
          <li key={p.projectFile} data-testid="recent-project" data-project={p.projectFile}>
            <button
              type="button"
              className="recent-open"
              disabled={busy || target === null}
              title={`Open ${p.projectFile}`}
              onClick={() => target && onOpen(target)}
            >
              <strong>{baseName(p.projectFile)}</strong>
              <span className="muted small">
                {unknownDataset
                  ? 'dataset shown once it is opened again'
                  : `${p.datasetRoot} · ${dataset}`}{' '}
                · opened {openedWhen(p.openedAt)}
              </span>
              <span className="muted small">{p.projectFile}</span>
              {problem && <span className="error small">{problem}</span>}
            </button>
            <button
              type="button"
              className="link small"
              aria-label={`Forget ${baseName(p.projectFile)} (the file is kept)`}
              onClick={() => void forget(p.projectFile)}
            >
              Forget
            </button>
          </li>
        );
      })}
    </ul>
  );
}
