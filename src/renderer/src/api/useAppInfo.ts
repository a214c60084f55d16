import { useEffect, useState, useSyncExternalStore } from 'react';
import type { AppInfo } from '../../../shared/api/app';
import type { ConnectionState } from './socket';
import { useConnection } from './client';

/** What `useAppInfo` gives: the connection's state and app.info's latest answer or error. */
export interface AppInfoState {
  connection: ConnectionState;
  info: AppInfo | null;
  error: string | null;
}

/** app.info (version, platform, backend report), asked again each time the connection opens. */
export function useAppInfo(): AppInfoState {
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

  return { connection: state, info, error };
}
