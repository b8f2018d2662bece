import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api.js';

export interface ApiState<T> {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `load(signal)` whenever `key` changes; the previous data stays shown while the next
 * page loads (so tables do not flash), and a superseded request is aborted. The answer is rendered
 * as a transition: React renders a large table in slices, so the page stays responsive meanwhile.
 */
export function useApi<T>(key: string, load: (signal: AbortSignal) => Promise<T>): ApiState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    loadRef
      .current(controller.signal)
      .then((result) => {
        if (controller.signal.aborted) return;
        startTransition(() => {
          setData(result);
          setError(null);
          setLoading(false);
        });
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        startTransition(() => {
          setError(err instanceof ApiError ? err : new ApiError(0, 'client', err instanceof Error ? err.message : String(err)));
          setLoading(false);
        });
      });
    return () => controller.abort();
  }, [key, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { data, error, loading, reload };
}
