import { useCallback, useEffect, useState } from 'react';
import type { ModelVersionSummary } from '../../../shared/api/training';
import { useApi } from '../api/client';

/** The project's model versions, refreshed when the engine says they changed. */
export function useModels(): {
  models: ModelVersionSummary[];
  error: string | null;
  refresh: () => void;
} {
  const api = useApi();
  const [models, setModels] = useState<ModelVersionSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    let cancelled = false;
    void api.models.list({}).then((r) => {
      if (cancelled) return;
      if (r.ok) {
        setModels(r.value);
        setError(null);
      } else {
        setError(r.error.message);
      }
    });
    return () => {
      cancelled = true;
    };
  }, [api, tick]);

  useEffect(() => {
    const offModels = api.on('models.changed', refresh);
    const offOpened = api.on('studio.opened', refresh);
    return () => {
      offModels();
      offOpened();
    };
  }, [api, refresh]);

  return { models, error, refresh };
}
