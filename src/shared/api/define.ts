import type { z } from 'zod';

/** One request of the contract: its input schema (validated at every boundary) and its result type. */
export interface RequestSpec<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  readonly doc: string;
  /** Phantom field that carries the result type; never set at run time. */
  readonly __output?: O;
}

/** One event of the contract: its payload type and what it means. */
export interface EventSpec<P = unknown> {
  readonly doc: string;
  /** Phantom field that carries the payload type; never set at run time. */
  readonly __payload?: P;
}

/**
 * Declares a request. The result type is given first, the schema is inferred:
 * `request<AppInfo>()(z.object({}), 'Version, platform and compute backend.')`.
 */
export function request<O>() {
  return <I extends z.ZodType>(input: I, doc: string): RequestSpec<I, O> => ({ input, doc });
}

/** Declares an event with its payload type. */
export function event<P>(doc: string): EventSpec<P> {
  return { doc };
}
