import type { Area, RequestName, RequestOutput, RequestParsed } from '../../../shared/api';

/** The engine's implementation of every request in the contract. */
export type Handlers = {
  [K in RequestName]: (input: RequestParsed<K>) => Promise<RequestOutput<K>>;
};

/** The handlers of one area, e.g. `AreaHandlers<'dataset'>` for every `dataset.*` request. */
export type AreaHandlers<A extends Area> = {
  [K in RequestName as K extends `${A}.${string}` ? K : never]: Handlers[K];
};
