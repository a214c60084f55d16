/**
 * The one API client of the renderer: the preload's `window.vessel` in the desktop app,
 * the WebSocket of browser mode otherwise. Components get it from `useApi()`.
 */
import { createContext, useContext } from 'react';
import type { VesselApi } from '../../../shared/api';
import { connectSocket, socketUrl, type ConnectionState } from './socket';

export interface ApiConnection {
  api: VesselApi;
  transport: 'ipc' | 'websocket';
  state(): ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
}

export function createApiConnection(): ApiConnection {
  if (window.vessel) {
    return { api: window.vessel, transport: 'ipc', state: () => 'open', onState: () => () => {} };
  }
  const socket = connectSocket(socketUrl(window.location));
  return { api: socket.api, transport: 'websocket', state: socket.state, onState: socket.onState };
}

export const ApiContext = createContext<ApiConnection | null>(null);

/** The API connection of the app; throws when used outside <ApiContext.Provider>. */
export function useConnection(): ApiConnection {
  const connection = useContext(ApiContext);
  if (!connection) throw new Error('useConnection() needs <ApiContext.Provider>');
  return connection;
}

export function useApi(): VesselApi {
  return useConnection().api;
}
