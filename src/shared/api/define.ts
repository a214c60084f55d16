import type { z } from 'zod';

/**
 * One request of the contract: its input schema (validated at every boundary), its result type
 * and the error codes it may return beyond the common ones (src/shared/api/errors.ts).
 */
export interface RequestSpec<
  I extends z.ZodType = z.ZodType,
  O = unknown,
  E extends string = string,
> {
  readonly input: I;
  readonly doc: string;
  /** Codes this request may answer with besides COMMON_ERROR_CODES; dispatch checks them. */
  readonly errors: readonly E[];
  /** Phantom field that carries the result type; never set at run time. */
  readonly __output?: O;
}

/** One event of the contract: its payload type and what it means. */
export interface EventSpec<P = unknown> {
  readonly doc: string;
  /** Phantom field that carries the payload type; never set at run time. */
  readonly __payload?: P;
}

/** What a request may declare besides its schema and doc. */
export interface RequestOptions<E extends string> {
  /** The codes it may return beyond the common ones, from the tables in errors.ts. */
  readonly errors?: readonly E[];
}

/**
 * Declares a request. The result type is given first; the schema and the error codes are
 * inferred from the values, so each code is written once:
 * `request<StudioMask>()(schema, 'The mask of an image.', { errors: [STUDIO_ERROR_CODES.NOT_OPEN] })`.
 */
export function request<O>() {
  return <I extends z.ZodType, const E extends string = never>(
    input: I,
    doc: string,
    options: RequestOptions<E> = {},
  ): RequestSpec<I, O, E> => ({ input, doc, errors: options.errors ?? [] });
}

/** Declares an event with its payload type. */
export function event<P>(doc: string): EventSpec<P> {
  return { doc };
}
