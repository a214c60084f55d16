/**
 * The renderer's `window.vessel`, built from the contract over IPC: one named function per
 * request and `on(event, listener)` for events. The renderer never sees ipcRenderer, so a
 * compromised page can call nothing but the contract, and main still checks every call.
 */
import { buildApi, type EventName, type VesselApi } from '../shared/api';
import { IPC_EVENT_CHANNEL, type IpcEventMessage } from '../shared/api/ipc';
import { COMMON_ERROR_CODES, type Result } from '../shared/result';

/** The part of ipcRenderer the bridge uses. */
export interface IpcRendererPort {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

function isEventMessage(value: unknown): value is IpcEventMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as IpcEventMessage).name === 'string'
  );
}

/** Builds the API object the preload exposes; one IPC listener serves every subscription. */
export function createBridgeApi(ipc: IpcRendererPort): VesselApi {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  ipc.on(IPC_EVENT_CHANNEL, (_event, message) => {
    if (!isEventMessage(message)) return;
    for (const listener of listeners.get(message.name) ?? []) {
      try {
        listener(message.payload);
      } catch (error) {
        console.error(`A listener of ${message.name} failed:`, error);
      }
    }
  });
  const invoke = async (name: string, input: unknown): Promise<Result<unknown>> => {
    try {
      return (await ipc.invoke(name, input)) as Result<unknown>;
    } catch (error) {
      // Only when main has no handler or the message cannot be cloned: still a value, not a throw.
      return {
        ok: false,
        error: {
          code: COMMON_ERROR_CODES.TRANSPORT,
          message: `${name} could not reach the app: ${(error as Error).message ?? String(error)}`,
        },
      };
    }
  };
  const subscribe = (name: EventName, listener: (payload: unknown) => void) => {
    let set = listeners.get(name);
    if (set === undefined) {
      set = new Set();
      listeners.set(name, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };
  return buildApi(invoke, subscribe);
}
