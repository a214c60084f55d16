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

/** The header: the first column's title, then one column per metric, its name after `prefix` (if any). */
function MetricsHead({
  first,
  deltas,
  prefix = '',
}: {
  first: string;
  deltas: MetricDelta[];
  prefix?: string;
}) {
  return (
    <thead>
      <tr>
        <th>{first}</th>
        {deltas.map((d) => (
          <th key={d.name}>{prefix + d.name.toUpperCase()}</th>
        ))}
      </tr>
    </thead>
  );
}

/** A version's pooled figures before or after the change: its name, then one cell per metric. */
function FiguresRow({
  name,
  deltas,
  side,
}: {
  name: string;
  deltas: MetricDelta[];
  side: 'before' | 'after';
}) {
  return (
    <tr>
      <td className="method">{name}</td>
      {deltas.map((d) => (
        <td key={d.name}>{formatMetric(d[side])}</td>
      ))}
    </tr>
  );
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
        <MetricsHead first="pooled" deltas={comparison.pooled} />
        <tbody>
          <FiguresRow name={baseline} deltas={comparison.pooled} side="before" />
          <FiguresRow
            name={versionName(models, comparison.modelId)}
            deltas={comparison.pooled}
            side="after"
          />
          <tr>
            <td>change</td>
            <DeltaCells deltas={comparison.pooled} />
          </tr>
        </tbody>
      </table>
      <table className="metrics per-image">
        <MetricsHead first="image" deltas={comparison.pooled} prefix="Δ" />
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
