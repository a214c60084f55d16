/**
 * The contract: every request and event that crosses a process boundary. Main binds it to
 * IPC, browser mode binds it to a WebSocket, the renderer calls it through one client.
 * A new feature is one entry in one of the area files below.
 */
import type { z } from 'zod';
import type { Result } from '../result';
import { appEvents, appRequests } from './app';
import type { EventSpec, RequestSpec } from './define';
import { COMMON_ERROR_CODES, type CommonErrorCode } from './errors';
import { filesRequests } from './files';
import { shellEvents, shellRequests } from './shell';
import { studioEvents, studioRequests } from './studio';
import { trainingEvents, trainingRequests } from './training';

export const requests = {
  ...appRequests,
  ...filesRequests,
  ...shellRequests,
  ...studioRequests,
  ...trainingRequests,
} satisfies Record<string, RequestSpec>;

export const events = {
  ...appEvents,
  ...shellEvents,
  ...studioEvents,
  ...trainingEvents,
} satisfies Record<string, EventSpec>;

export type Requests = typeof requests;
export type Events = typeof events;
export type RequestName = keyof Requests & string;
export type EventName = keyof Events & string;

/** What a caller passes (defaults not yet applied). */
export type RequestInput<K extends RequestName> = z.input<Requests[K]['input']>;
/** What a handler receives, after validation and defaults. */
export type RequestParsed<K extends RequestName> = z.output<Requests[K]['input']>;
/** What a request resolves to when it succeeds. */
export type RequestOutput<K extends RequestName> =
  Requests[K] extends RequestSpec<z.ZodType, infer O> ? O : never;
/** The codes a request may fail with: its declared ones and the common ones. */
export type RequestErrorCode<K extends RequestName> =
  CommonErrorCode | (Requests[K] extends RequestSpec<z.ZodType, unknown, infer E> ? E : never);
/** What the typed client resolves a request to. */
export type RequestResult<K extends RequestName> = Result<RequestOutput<K>, RequestErrorCode<K>>;
export type EventPayload<E extends EventName> = Events[E] extends EventSpec<infer P> ? P : never;

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

/** Whether `code` is one a request may fail with (declared by it, or common). */
export function isDeclaredErrorCode(name: RequestName, code: string): boolean {
  return (
    (Object.values(COMMON_ERROR_CODES) as string[]).includes(code) ||
    (requests[name].errors as readonly string[]).includes(code)
  );
}

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(requests, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** Area and method of a request name: `dataset.open` -> [`dataset`, `open`]. */
type AreaOf<K> = K extends `${infer A}.${string}` ? A : never;
export type Area = AreaOf<RequestName>;

/** The typed surface every front end sees: `api.app.info({})` resolves to a Result. */
export type VesselApi = {
  [A in Area]: {
    [K in RequestName as K extends `${A}.${infer M}` ? M : never]: (
      input?: RequestInput<K>,
    ) => Promise<RequestResult<K>>;
  };
} & {
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Builds the nested API object from one generic invoke and one generic subscribe. */
export function buildApi(
  invoke: (name: RequestName, input: unknown) => Promise<Result<unknown>>,
  subscribe: (name: EventName, listener: (payload: unknown) => void) => () => void,
): VesselApi {
  const api: Record<string, Record<string, (input?: unknown) => Promise<Result<unknown>>>> = {};
  for (const name of requestNames) {
    const dot = name.indexOf('.');
    const area = name.slice(0, dot);
    const method = name.slice(dot + 1);
    api[area] ??= {};
    api[area][method] = (input?: unknown) => invoke(name, input ?? {});
  }
  const on = (name: EventName, listener: (payload: unknown) => void) => {
    if (!isEventName(name)) throw new Error(`Unknown event "${String(name)}"`);
    return subscribe(name, listener);
  };
  return Object.freeze({ ...api, on }) as unknown as VesselApi;
}
