import { useCallback, useEffect, useState } from 'react';
import type { ModelVersionSummary } from '../../../shared/api/training';
import { useApi } from '../api/client';
import { useRequest } from '../api/use-request';

/** The project's model versions, refreshed when the engine says they changed. */
export function useModels(): {
  models: ModelVersionSummary[];
  error: string | null;
  refresh: () => void;
} {
  const api = useApi();
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  const { value: models, error } = useRequest<ModelVersionSummary[]>(
    [],
    () => api.models.list({}),
    [api, tick],
  );

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
