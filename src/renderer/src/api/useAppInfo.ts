import { useSyncExternalStore } from 'react';
import type { AppInfo } from '../../../shared/api/app';
import type { ConnectionState } from './socket';
import { useConnection } from './client';
import { useRequest } from './use-request';

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
  const { value: info, error } = useRequest<AppInfo | null>(
    null,
    state === 'open' ? () => connection.api.app.info({}) : null,
    [connection, state],
  );

  return { connection: state, info, error };
}
