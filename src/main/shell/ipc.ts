/**
 * Binds the contract to Electron IPC. Every request of the contract gets a handler under its
 * own name that first checks who is asking (the main frame of one of our windows, showing our
 * page), then validates the input with the contract's schema through the engine's dispatch,
 * and always answers with a Result envelope. Engine events go to our windows on one channel.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { requestNames, type EventName, type EventPayload } from '../../shared/api';
import { IPC_EVENT_CHANNEL, type IpcEventMessage } from '../../shared/api/ipc';
import { COMMON_ERROR_CODES, fail, type Result } from '../../shared/result';
import { dispatchRequest } from '../engine/dispatch';
import type { EngineEvents } from '../engine/events';
import type { Handlers } from '../engine/handlers';
import { isAppPageUrl, isAppWebContents, type AppContent } from './window';

/**
 * True when an IPC message comes from the top frame of one of the app's windows while it shows
 * the app's page. A sub-frame, a destroyed frame, another window or another page is refused.
 */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  content: AppContent,
  isOwnWebContents: (webContents: WebContents) => boolean = isAppWebContents,
): boolean {
  const frame = event.senderFrame;
  if (frame === null || frame === undefined) return false;
  if (frame.parent !== null) return false;
  if (!isOwnWebContents(event.sender)) return false;
  return isAppPageUrl(frame.url, content);
}

export interface IpcBindingOptions {
  /** Every request's handler: the engine's, with main's own for the shell area. */
  handlers: Handlers;
  /** The sender check (isTrustedSender bound to the app's content in the app). */
  isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  /** The engine's event bus, forwarded to `eventTargets()`. */
  events: EngineEvents;
  /** The web contents that receive engine events: our windows showing our page. */
  eventTargets: () => WebContents[];
}

/** Sends one contract event to one renderer on the event channel. */
export function sendEvent<E extends EventName>(
  webContents: WebContents,
  name: E,
  payload: EventPayload<E>,
): void {
  if (webContents.isDestroyed()) return;
  const message: IpcEventMessage = { name, payload };
  webContents.send(IPC_EVENT_CHANNEL, message);
}

/** Registers a handler for every request of the contract; returns the function that unbinds. */
export function bindContractToIpc(options: IpcBindingOptions): () => void {
  for (const name of requestNames) {
    ipcMain.handle(name, async (event, input: unknown): Promise<Result<unknown>> => {
      if (!options.isTrustedSender(event)) {
        console.warn(
          `Refused IPC request ${name} from ${event.senderFrame?.url ?? 'a gone frame'}`,
        );
        return fail(
          COMMON_ERROR_CODES.FORBIDDEN,
          `Refused ${name}: the request did not come from the Vessel Studio window.`,
        );
      }
      return dispatchRequest(options.handlers, name, input);
    });
  }
  const stopForwarding = options.events.onAny((name, payload) => {
    for (const webContents of options.eventTargets()) {
      sendEvent(webContents, name, payload as EventPayload<typeof name>);
    }
  });
  return () => {
    stopForwarding();
    for (const name of requestNames) ipcMain.removeHandler(name);
  };
}
