import { useEffect, useState, type DependencyList } from 'react';
import type { Result } from '../../../shared/result';

/** What `useRequest` gives: the latest answer's value (or the initial one) and the latest error. */
export interface RequestState<T> {
  value: T;
  error: string | null;
}

/**
 * The latest answer of one API request, asked when the component mounts and again whenever
 * `deps` change (as for useEffect); a null `request` asks nothing until it is given. A failure
 * keeps the last value and reports its message, the next success clears the message, and an
 * answer that arrives after `deps` moved on is dropped.
 */
export function useRequest<T>(
  initial: T,
  request: (() => Promise<Result<T>>) | null,
  deps: DependencyList,
): RequestState<T> {
  const [value, setValue] = useState<T>(initial);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!request) return;
    let cancelled = false;
    void request().then((result) => {
      if (cancelled) return;
      if (result.ok) {
        setValue(result.value);
        setError(null);
      } else {
        setError(result.error.message);
      }
    });
    return () => {
      cancelled = true;
    };
    // The caller's `deps` say when to ask again; `request` is a new closure on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  return { value, error };
}
