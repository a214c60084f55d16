import { useState } from 'react';
import type { ModelVersionSummary } from '../../../shared/api/training';
import { useApi } from '../api/client';
import { formatMetric } from '../evaluation/table';

function VersionRow({
  model,
  byId,
  onError,
}: {
  model: ModelVersionSummary;
  byId: Map<number, ModelVersionSummary>;
  onError: (m: string) => void;
}) {
  const api = useApi();
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(model.name);
  const act = async (p: Promise<{ ok: boolean; error?: { message: string } }>) => {
    const r = await p;
    if (!r.ok && r.error) onError(r.error.message);
  };
  const parent = model.parentId === null ? null : byId.get(model.parentId);
  return (
    <li
      className={`version${model.active ? ' version-active' : ''}`}
      data-testid="model-version"
      data-model-id={model.id}
    >
      <div className="version-head">
        {renaming ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              setRenaming(false);
              void act(api.models.rename({ id: model.id, name }));
            }}
          >
            <input
              aria-label="New name"
              value={name}
              autoFocus
              onChange={(e) => setName(e.target.value)}
            />
          </form>
        ) : (
          <span className="version-name">
            {model.name}
            {model.active && <span className="badge">active</span>}
          </span>
        )}
      </div>
      <div className="hint">
        {model.arch} ·{' '}
        {model.parentId === null && model.trainedOn.images === 0 ? (
          // The bundled model (or any version made elsewhere) learnt from no image of this project.
          'trained outside this project'
        ) : (
          <>
            from {parent ? parent.name : model.parentId === null ? 'scratch' : `#${model.parentId}`}{' '}
            · trained on {model.trainedOn.images} images ({model.trainedOn.corrected} corrected)
          </>
        )}{' '}
        · {model.backend}
      </div>
      <div className="hint" data-testid="model-figures">
        {model.test
          ? `test AUC ${formatMetric(model.test.auc)} · F1 ${formatMetric(model.test.f1)} · P ${formatMetric(model.test.precision)} · R ${formatMetric(model.test.recall)}`
          : 'not evaluated'}
      </div>
      <div className="panel-row">
        {!model.active && (
          <button type="button" onClick={() => void act(api.models.activate({ id: model.id }))}>
            Activate
          </button>
        )}
        <button type="button" onClick={() => setRenaming((v) => !v)}>
          Rename
        </button>
        <button
          type="button"
          disabled={model.active}
          title={
            model.active
              ? 'The active version cannot be deleted: activate another first.'
              : undefined
          }
          onClick={() => {
            if (
              window.confirm(`Delete model version "${model.name}"? Its evaluations go with it.`)
            ) {
              void act(api.models.delete({ id: model.id }));
            }
          }}
        >
          Delete
        </button>
      </div>
    </li>
  );
}

/** Model versions with parent, training data and test figures; activate, roll back, rename, delete. */
export function ModelVersions({ models }: { models: ModelVersionSummary[] }) {
  const [error, setError] = useState<string | null>(null);
  const byId = new Map(models.map((m) => [m.id, m]));
  return (
    <section className="panel" aria-labelledby="versions-title">
      <h2 className="region-title" id="versions-title">
        Model versions
      </h2>
      {models.length === 0 && <p className="hint">No model yet: press Retrain to train one.</p>}
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      <ul className="versions" data-testid="model-versions">
        {[...models].reverse().map((m) => (
          <VersionRow key={m.id} model={m} byId={byId} onError={setError} />
        ))}
      </ul>
    </section>
  );
}
