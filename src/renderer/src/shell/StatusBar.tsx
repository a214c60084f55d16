import { useEffect, useState, useSyncExternalStore } from 'react';
import type { AppInfo } from '../../../shared/api/app';
import { useConnection } from '../api/client';

/** The bottom bar: connection, compute backend (with why better ones are not used) and version. */
export function StatusBar() {
  const connection = useConnection();
  // An external store: no update is missed between the first render and the subscription.
  const state = useSyncExternalStore(connection.onState, connection.state);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (state !== 'open') return;
    let cancelled = false;
    void connection.api.app.info({}).then((result) => {
      if (cancelled) return;
      if (result.ok) {
        setInfo(result.value);
        setError(null);
      } else {
        setError(result.error.message);
      }
    });
    return () => {
      cancelled = true;
    };
  }, [connection, state]);

  const backend = info?.backend;
  const rejected = backend?.rejected.map((r) => `${r.backend}: ${r.message}`).join('\n') ?? '';
  return (
    <footer className="status-bar" role="status" aria-live="polite">
      <span className={`status-dot status-${state}`} aria-hidden="true" />
      <span data-testid="connection-state">
        {state === 'open'
          ? 'Engine connected'
          : state === 'connecting'
            ? 'Connecting to the engine…'
            : 'Engine disconnected, retrying…'}
      </span>
      <span className="status-sep" />
      <span data-testid="backend" title={rejected}>
        Backend:{' '}
        {backend
          ? `${backend.active ?? 'none'}${backend.threads > 1 ? ` ×${backend.threads}` : ''}`
          : '…'}
      </span>
      {error && <span className="status-error">{error}</span>}
      <span className="status-spacer" />
      <span data-testid="version">
        {info
          ? `${info.name} ${info.version} · ${info.mode === 'browser' ? 'browser mode' : info.mode}`
          : ''}
      </span>
    </footer>
  );
}
