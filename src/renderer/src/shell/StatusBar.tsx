import type { BackendReport } from '../../../shared/api/app';
import { useAppInfo } from '../api/useAppInfo';
import { backendLabel, backendTooltip } from './backend-status';
import { PredictionQueueStatus } from './PredictionQueueStatus';

/** The backend in use (the GPU's name on webgpu); the tooltip has the GPU in full and the rejections. */
export function BackendStatus({ report }: { report: BackendReport | null }) {
  return (
    <span data-testid="backend" title={backendTooltip(report)}>
      Backend: {backendLabel(report)}
    </span>
  );
}

/**
 * The bottom bar: connection, compute backend (with why better ones are not used), the
 * prediction queue while it runs, and version.
 */
export function StatusBar() {
  const { connection: state, info, error } = useAppInfo();
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
      <BackendStatus report={info?.backend ?? null} />
      <PredictionQueueStatus />
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
