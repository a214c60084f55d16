import { useEffect, useState } from 'react';
import type {
  MetricDelta,
  ModelComparison,
  ModelVersionSummary,
} from '../../../shared/api/training';
import { useApi } from '../api/client';
import { formatMetric } from '../evaluation/table';
import { formatDelta } from './format';

/** Colour class of a change: a drop is worse, a rise better. */
function deltaClass(delta: number | null): string {
  if (delta === null || delta === 0) return '';
  return delta < 0 ? 'worse' : 'better';
}

/** One cell per metric: its change, coloured by direction. */
function DeltaCells({ deltas }: { deltas: MetricDelta[] }) {
  return deltas.map((d) => (
    <td key={d.name} className={deltaClass(d.delta)}>
      {formatDelta(d.delta)}
    </td>
  ));
}

/** A version's name, or its number where the list does not have it (yet). */
function versionName(models: ModelVersionSummary[], id: number): string {
  return models.find((m) => m.id === id)?.name ?? `version #${id}`;
}

/** What got better and what got worse against the parent version, pooled and per image. */
export function DeltaTable({
  modelId,
  models,
}: {
  modelId: number;
  models: ModelVersionSummary[];
}) {
  const api = useApi();
  const [comparison, setComparison] = useState<ModelComparison | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    void api.evaluation.compare({ modelId }).then((r) => {
      if (cancelled) return;
      if (r.ok) setComparison(r.value);
      else setError(r.error.message);
    });
    return () => {
      cancelled = true;
    };
  }, [api, modelId]);

  if (error) return <p className="hint">{error}</p>;
  if (!comparison) return null;
  const regressions = comparison.perImage.filter((i) => i.regressed).length;
  const baseline = versionName(models, comparison.baselineId);
  return (
    <div className="deltas" data-testid="deltas">
      <h3 className="sub-title">
        Changes against {baseline} ({regressions} image{regressions === 1 ? '' : 's'} regressed)
      </h3>
      <table className="metrics">
        <thead>
          <tr>
            <th>pooled</th>
            {comparison.pooled.map((d) => (
              <th key={d.name}>{d.name.toUpperCase()}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <td className="method">{baseline}</td>
            {comparison.pooled.map((d) => (
              <td key={d.name}>{formatMetric(d.before)}</td>
            ))}
          </tr>
          <tr>
            <td className="method">{versionName(models, comparison.modelId)}</td>
            {comparison.pooled.map((d) => (
              <td key={d.name}>{formatMetric(d.after)}</td>
            ))}
          </tr>
          <tr>
            <td>change</td>
            <DeltaCells deltas={comparison.pooled} />
          </tr>
        </tbody>
      </table>
      <table className="metrics per-image">
        <thead>
          <tr>
            <th>image</th>
            {comparison.pooled.map((d) => (
              <th key={d.name}>Δ{d.name.toUpperCase()}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {comparison.perImage.map((row) => (
            <tr
              key={row.imageId}
              className={row.regressed ? 'regressed' : ''}
              data-regressed={row.regressed}
            >
              <td>{row.imageId.split('/').pop()}</td>
              <DeltaCells deltas={row.deltas} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
