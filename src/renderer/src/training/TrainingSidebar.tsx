import type { ModelVersionSummary, RetrainScope } from '../../../shared/api/training';
import { ModelVersions } from './ModelVersions';
import { RetrainPanel } from './RetrainPanel';

/** The side panel's training part: Retrain with its progress, then the model versions. */
export function TrainingSidebar({
  models,
  error,
  onRetrainAction,
}: {
  models: ModelVersionSummary[];
  error: string | null;
  /** Receives what the Retrain button does, for the R key. */
  onRetrainAction?: (action: ((scope: RetrainScope) => void) | null) => void;
}) {
  return (
    <div className="training-sidebar">
      <RetrainPanel onRetrainAction={onRetrainAction} />
      {error ? <p className="hint">{error}</p> : <ModelVersions models={models} />}
    </div>
  );
}
