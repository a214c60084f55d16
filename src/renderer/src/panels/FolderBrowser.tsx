import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { FolderEntry, FolderListing } from '../../../shared/api/files';
import { useApi } from '../api/client';
import { datasetBadge, withTilde } from './path-text';
import './files.css';

/** What the person picked: a dataset folder or a project file to open, or a folder to write into. */
export type BrowserChoice =
  | { kind: 'dataset'; path: string }
  | { kind: 'project'; path: string }
  | { kind: 'folder'; path: string };

export interface FolderBrowserProps {
  /** `open`: datasets and .vessel files open; `folder`: the shown folder is chosen (Export). */
  purpose: 'open' | 'folder';
  /** The folder shown first (absolute or `~`); default: home. */
  start?: string;
  onChoose(choice: BrowserChoice): void;
  /** The label of the button that chooses the shown folder (purpose `folder`). */
  chooseLabel?: string;
  busy?: boolean;
}

/**
 * The engine's folder browser: places (home, recent locations, the projects folder), the
 * folder's subfolders with the datasets among them marked with their layout, and its .vessel
 * files. Keyboard: arrows move, Enter goes into a folder or opens a project, Backspace goes
 * up, and a path typed in the field (absolute or starting with ~) is gone to with Enter.
 */
export function FolderBrowser({ purpose, start, onChoose, chooseLabel, busy }: FolderBrowserProps) {
  const api = useApi();
  const [listing, setListing] = useState<FolderListing | null>(null);
  const [typed, setTyped] = useState(start ?? '');
  const [error, setError] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  // Each navigation is a numbered request, so going to the same folder again lists it again.
  const [request, setRequest] = useState<{ path?: string; n: number }>({ path: start, n: 0 });
  const [answered, setAnswered] = useState(-1);
  const [location, setLocation] = useState<{ dataset: string; text: string } | null>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const loading = answered !== request.n;

  const go = useCallback(
    (target?: string) => setRequest((r) => ({ path: target, n: r.n + 1 })),
    [],
  );

  useEffect(() => {
    let cancelled = false;
    void api.files.list(request.path === undefined ? {} : { path: request.path }).then((result) => {
      if (cancelled) return;
      setAnswered(request.n);
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setListing(result.value);
      setTyped(withTilde(result.value.path, result.value.home));
      setActive(0);
      setError(null);
    });
    return () => {
      cancelled = true;
    };
  }, [api, request]);

  const entries = listing?.entries ?? [];
  const selected: FolderEntry | undefined = entries[active];

  // Where a selected dataset's project lives (or will be written), said before it is opened.
  useEffect(() => {
    if (purpose !== 'open' || !selected?.dataset) return;
    let cancelled = false;
    const dataset = selected.path;
    void api.files.projectLocation({ datasetPath: dataset }).then((r) => {
      if (cancelled || !r.ok) return;
      const where = withTilde(r.value.projectFile, listing?.home ?? null);
      setLocation({
        dataset,
        text: r.value.exists
          ? `Its project is ${where} (opened again, with your corrections).`
          : `Opening it creates its project at ${where}; the dataset folder is never written to.`,
      });
    });
    return () => {
      cancelled = true;
    };
  }, [api, purpose, selected, listing]);

  const activate = (entry: FolderEntry) => {
    if (entry.kind === 'project') {
      if (purpose === 'open') onChoose({ kind: 'project', path: entry.path });
      return;
    }
    go(entry.path);
  };

  const submitTyped = async () => {
    const text = typed.trim();
    if (text === '') return;
    const resolved = await api.files.resolve({ path: text });
    if (!resolved.ok) {
      setError(resolved.error.message);
      return;
    }
    const { kind, path } = resolved.value;
    if (kind === 'folder') go(path);
    else if (kind === 'project' && purpose === 'open') onChoose({ kind: 'project', path });
    else
      setError(
        purpose === 'open'
          ? `${path} is a file: choose a dataset folder or a .vessel project file.`
          : `${path} is a file: choose a folder.`,
      );
  };

  const onListKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') setActive((i) => Math.min(i + 1, entries.length - 1));
    else if (e.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
    else if (e.key === 'Home') setActive(0);
    else if (e.key === 'End') setActive(Math.max(entries.length - 1, 0));
    else if (e.key === 'Enter' && selected) activate(selected);
    else if ((e.key === 'Backspace' || (e.key === 'ArrowUp' && e.altKey)) && listing?.parent)
      go(listing.parent);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  useEffect(() => {
    listRef.current
      ?.querySelector(`[data-index="${active}"]`)
      ?.scrollIntoView?.({ block: 'nearest' });
  }, [active]);

  const home = listing?.home ?? null;
  return (
    <div className="folder-browser" data-testid="folder-browser">
      <nav className="folder-places" aria-label="Places">
        {listing?.places.map((place) => (
          <button
            key={`${place.kind}:${place.path}`}
            type="button"
            className={place.path === listing.path ? 'current' : undefined}
            title={place.path}
            data-testid={`place-${place.kind}`}
            onClick={() => go(place.path)}
          >
            {place.kind === 'recent' ? `Recent: ${place.label}` : place.label}
          </button>
        ))}
      </nav>
      <div className="folder-main">
        <form
          className="folder-path row"
          onSubmit={(e) => {
            e.preventDefault();
            e.stopPropagation();
            void submitTyped();
          }}
        >
          <button
            type="button"
            disabled={!listing?.parent || loading}
            onClick={() => listing?.parent && go(listing.parent)}
            aria-label="Up to the parent folder"
            data-testid="folder-up"
          >
            ↑ Up
          </button>
          <label className="visually-hidden" htmlFor="folder-path-input">
            Folder or file path (absolute, or starting with ~)
          </label>
          <input
            id="folder-path-input"
            data-testid="folder-path"
            value={typed}
            spellCheck={false}
            placeholder="~/datasets or /data/DRIVE"
            onChange={(e) => setTyped(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown') {
                e.preventDefault();
                listRef.current?.focus();
              }
            }}
          />
          <button type="submit" data-testid="folder-go" disabled={loading}>
            Go
          </button>
        </form>
        {listing?.dataset && (
          <p className="folder-here-dataset" data-testid="folder-here-dataset">
            This folder is a {datasetBadge(listing.dataset)} dataset.
            {purpose === 'open' && (
              <button
                type="button"
                disabled={busy}
                onClick={() => onChoose({ kind: 'dataset', path: listing.path })}
              >
                Open it
              </button>
            )}
          </p>
        )}
        {error && (
          <p className="error" role="alert" data-testid="folder-error">
            {error}
          </p>
        )}
        <ul
          ref={listRef}
          className="folder-entries"
          role="listbox"
          tabIndex={0}
          aria-label={listing ? `Contents of ${withTilde(listing.path, home)}` : 'Folder contents'}
          aria-activedescendant={selected ? `folder-entry-${active}` : undefined}
          aria-busy={loading}
          data-testid="folder-entries"
          onKeyDown={onListKey}
        >
          {listing && entries.length === 0 && (
            <li className="muted" role="presentation">
              No folders or .vessel files here.
            </li>
          )}
          {entries.map((entry, i) => (
            <li
              key={entry.path + entry.name}
              id={`folder-entry-${i}`}
              role="option"
              aria-selected={i === active}
              data-index={i}
              data-testid="folder-entry"
              data-name={entry.name}
              data-dataset={entry.dataset?.layout ?? ''}
              className={i === active ? 'active' : undefined}
              onClick={() => setActive(i)}
              onDoubleClick={() => activate(entry)}
            >
              <span className="folder-icon" aria-hidden="true">
                {entry.kind === 'project' ? '◆' : entry.dataset ? '▣' : '▸'}
              </span>
              <span className="folder-name" title={entry.path}>
                {entry.name}
                {entry.link && <span className="muted"> (link)</span>}
              </span>
              {entry.dataset && (
                <span className="dataset-badge" data-testid="dataset-badge">
                  {datasetBadge(entry.dataset)}
                </span>
              )}
              {entry.kind === 'project' && <span className="muted">project</span>}
              {!entry.checked && <span className="muted">not checked</span>}
              {purpose === 'open' && (entry.dataset || entry.kind === 'project') && (
                <button
                  type="button"
                  className="folder-open"
                  data-testid="folder-open"
                  disabled={busy}
                  onClick={(e) => {
                    e.stopPropagation();
                    onChoose({
                      kind: entry.kind === 'project' ? 'project' : 'dataset',
                      path: entry.path,
                    });
                  }}
                >
                  Open
                </button>
              )}
            </li>
          ))}
        </ul>
        {location && location.dataset === selected?.path && (
          <p className="muted small" data-testid="project-location-hint">
            {location.text}
          </p>
        )}
        {purpose === 'folder' && listing && (
          <div className="row end">
            <span className="muted small">
              A new folder is made inside {withTilde(listing.path, home)}.
            </span>
            <button
              type="button"
              data-testid="folder-choose"
              disabled={busy || loading}
              onClick={() => onChoose({ kind: 'folder', path: listing.path })}
            >
              {chooseLabel ?? 'Choose this folder'}
            </button>
          </div>
        )}
      </div>
    </div>
  );
}
