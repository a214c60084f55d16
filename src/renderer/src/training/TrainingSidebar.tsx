import type { ModelVersionSummary } from '../../../shared/api/training';
import { ModelVersions } from './ModelVersions';
import { RetrainPanel } from './RetrainPanel';

/** The side panel's training part: Retrain with its progress, then the model versions. */
export function TrainingSidebar({
  models,
  error,
}: {
  models: ModelVersionSummary[];
  error: string | null;
}) {
  return (
    <div className="training-sidebar">
      <RetrainPanel />
      {error ? <p className="hint">{error}</p> : <ModelVersions models={models} />}
    </div>
  );
}
