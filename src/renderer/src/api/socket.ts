/**
 * The browser-mode transport: the contract over one WebSocket to `serve`, with the token
 * from the page URL. Requests resolve to Results, never throw; a lost connection fails the
 * pending requests with a TRANSPORT error and reconnects with backoff.
 */
import { buildApi, type EventName, type RequestName, type VesselApi } from '../../../shared/api';
import { decodeWire, encodeWire, type WireMessage } from '../../../shared/api/wire';
import { COMMON_ERROR_CODES, type Result } from '../../../shared/result';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface SocketApi {
  api: VesselApi;
  state(): ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

export function socketUrl(location: { protocol: string; host: string; search: string }): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

/** Close code 1009: serve refused a message over its size limit (a mask of its largest image). */
const CLOSE_MESSAGE_TOO_BIG = 1009;

/** What a pending request reports when the socket closes, from the close code and reason. */
export function connectionLostMessage(code: number, reason: string): string {
  if (code === CLOSE_MESSAGE_TOO_BIG)
    return 'The engine refused a message larger than `serve` accepts (WebSocket close 1009): the image is larger than the studio supports. Nothing in it was done.';
  const why = reason
    ? ` (${reason})`
    : code && code !== 1000 && code !== 1006
      ? ` (WebSocket close ${code})`
      : '';
  return `The connection to the engine was lost${why}. Check that \`serve\` is still running, then retry.`;
}

export function connectSocket(url: string, WebSocketImpl: typeof WebSocket = WebSocket): SocketApi {
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let retryMs = 250;
  let closedByUs = false;
  const pending = new Map<number, (result: Result<unknown>) => void>();
  const queue: Uint8Array[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: ConnectionState) => void>();

  const setState = (next: ConnectionState) => {
    state = next;
    for (const l of stateListeners) l(next);
  };

  const handle = (message: WireMessage) => {
    if (message.type === 'response') {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      resolve?.(message.result);
    } else if (message.type === 'event') {
      for (const l of listeners.get(message.name) ?? []) l(message.payload);
    } else if (message.type === 'error') {
      console.error(`engine: ${message.error.code}: ${message.error.message}`);
    }
  };

  const open = () => {
    setState('connecting');
    const ws = new WebSocketImpl(url);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      setState('open');
      for (const frame of queue.splice(0)) ws.send(frame);
    };
    ws.onmessage = (event: MessageEvent) => {
      try {
        handle(decodeWire(new Uint8Array(event.data as ArrayBuffer)));
      } catch (error) {
        console.error('engine: malformed message', error);
      }
    };
    ws.onclose = (event: CloseEvent) => {
      socket = null;
      const message = connectionLostMessage(event.code, event.reason);
      for (const [id, resolve] of pending) {
        pending.delete(id);
        resolve({
          ok: false,
          error: {
            code: COMMON_ERROR_CODES.TRANSPORT,
            message,
          },
        });
      }
      setState('closed');
      if (!closedByUs) {
        setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, 5000);
      }
    };
  };
  open();

  const invoke = (name: RequestName, input: unknown) =>
    new Promise<Result<unknown>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      const frame = encodeWire({ type: 'request', id, name, input });
      if (socket && state === 'open') socket.send(frame);
      else queue.push(frame);
    });

  const subscribe = (name: EventName, listener: (payload: unknown) => void) => {
    let set = listeners.get(name);
    if (!set) listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  };

  return {
    api: buildApi(invoke, subscribe),
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closedByUs = true;
      socket?.close();
    },
  };
}
