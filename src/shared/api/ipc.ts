/**
 * The desktop transport of the contract. Every request travels on an IPC channel named
 * exactly like the request (`app.info`); every event travels on this one channel as
 * `{ name, payload }`, so the preload subscribes once and fans out by name.
 */
export const IPC_EVENT_CHANNEL = 'vessel:event';

/** One event as it crosses from main to a renderer. */
export interface IpcEventMessage {
  name: string;
  payload: unknown;
}
