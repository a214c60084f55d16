import { Fragment, useMemo, useState } from 'react';
import type {
  EvaluationView,
  ModelVersionSummary,
  PublishedRow,
} from '../../../shared/api/training';
import { useApi } from '../api/client';
import { useRequest } from '../api/use-request';
import { DeltaTable } from '../training/DeltaTable';
import { downloadBlob } from './chart-export';
import { CurveChart, type CurveChartProps } from './CurveChart';
import { prPoints, prSeries, rocPoints, rocSeries } from './curves';
import {
  buildMetricsTable,
  COLUMN_LABELS,
  formatMetric,
  formatStd,
  metricsTableCsv,
  TABLE_COLUMNS,
  type TableRow,
} from './table';

interface Loaded {
  evaluations: EvaluationView[];
  secondObserver: EvaluationView | null;
  published: PublishedRow[];
}

/** Versions shown by default: the active one and its parent, or the two newest. */
export function defaultSelection(models: ModelVersionSummary[]): number[] {
  const active = models.find((m) => m.active);
  if (active)
    return [
      active.id,
      ...(active.parentId !== null && models.some((m) => m.id === active.parentId)
        ? [active.parentId]
        : []),
    ];
  return models.slice(-2).map((m) => m.id);
}

/** Metrics table, ROC and PR curves of chosen model versions beside the second observer and published results. */
export function EvaluationPanel({ models }: { models: ModelVersionSummary[] }) {
  const api = useApi();
  const [selected, setSelected] = useState<number[] | null>(null);
  const chosen = useMemo(
    () => (selected ?? defaultSelection(models)).filter((id) => models.some((m) => m.id === id)),
    [selected, models],
  );
  const key = chosen.join(',') + '|' + models.map((m) => `${m.id}:${m.test?.auc ?? ''}`).join(',');

  // `key` captures the selection and every change of the versions' figures.
  const { value: loaded, error } = useRequest<Loaded | null>(
    null,
    () => api.evaluation.get({ modelIds: chosen }),
    [api, key],
  );

  const rows = loaded
    ? buildMetricsTable(loaded.evaluations, loaded.secondObserver, loaded.published)
    : [];
  const toggle = (id: number) =>
    setSelected((current) => {
      const base = current ?? chosen;
      return base.includes(id) ? base.filter((x) => x !== id) : [...base, id];
    });
  const activeModel = models.find((m) => m.active);

  return (
    <section className="evaluation" aria-label="Evaluation" data-testid="evaluation-panel">
      <header className="evaluation-head">
        <h2 className="region-title">Evaluation on the test split</h2>
        <div className="version-picks" role="group" aria-label="Model versions to compare">
          {models.map((m) => (
            <label key={m.id} className="pick">
              <input
                type="checkbox"
                checked={chosen.includes(m.id)}
                onChange={() => toggle(m.id)}
              />
              {m.name}
            </label>
          ))}
        </div>
        <button
          type="button"
          disabled={rows.length === 0}
          onClick={() =>
            downloadBlob(
              'vessel-metrics.csv',
              new Blob([metricsTableCsv(rows)], { type: 'text/csv' }),
            )
          }
        >
          Export CSV
        </button>
      </header>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      {loaded && (
        <>
          <div className="charts">
            <ProtocolCurveChart
              id="roc"
              name="ROC"
              axes={['False positive rate (1 - specificity)', 'Sensitivity']}
              series={rocSeries(loaded.evaluations)}
              points={rocPoints(loaded.secondObserver, loaded.published)}
              diagonal
            />
            <ProtocolCurveChart
              id="pr"
              name="Precision-recall"
              axes={['Recall', 'Precision']}
              series={prSeries(loaded.evaluations)}
              points={prPoints(loaded.secondObserver)}
            />
          </div>
          <MetricsTable rows={rows} />
          <p className="hint">
            Ours and the second observer: pixels inside the FOV mask of the 20 DRIVE test images
            against the 1st manual; pooled rows count all pixels together, per-image rows average
            the images. Published rows are quoted from their papers with their own protocol.
          </p>
          {activeModel && activeModel.parentId !== null && (
            <DeltaTable modelId={activeModel.id} models={models} />
          )}
        </>
      )}
    </section>
  );
}

/**
 * A curve chart of the panel's protocol, which its title names; `id` names its test hook and
 * its export files, `axes` labels x then y.
 */
function ProtocolCurveChart({
  id,
  name,
  axes: [xLabel, yLabel],
  ...chart
}: {
  id: string;
  name: string;
  axes: [x: string, y: string];
} & Omit<CurveChartProps, 'testId' | 'title' | 'exportName' | 'xLabel' | 'yLabel'>) {
  return (
    <CurveChart
      {...chart}
      xLabel={xLabel}
      yLabel={yLabel}
      testId={`${id}-chart`}
      title={`${name}: inside the FOV, pooled, 1st manual`}
      exportName={`vessel-${id}`}
    />
  );
}

/**
 * The metrics table, narrow enough for the pane: short headers, standard deviations under
 * their means, and each protocol in a few words that expand to a row with its full text.
 */
function MetricsTable({ rows }: { rows: TableRow[] }) {
  const [expanded, setExpanded] = useState<number | null>(null);
  return (
    <table className="metrics metrics-compact" data-testid="metrics-table">
      <thead>
        <tr>
          <th>method</th>
          <th>protocol</th>
          {TABLE_COLUMNS.map((c) => (
            <th key={c}>
              <abbr title={COLUMN_LABELS[c].full}>{COLUMN_LABELS[c].short}</abbr>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <Fragment key={i}>
            <tr
              className={`row-${row.kind}${row.comparable ? '' : ' not-comparable'}`}
              title={row.source}
            >
              <td className="method">{row.label}</td>
              <td className="protocol">
                <button
                  type="button"
                  className="protocol-toggle"
                  aria-expanded={expanded === i}
                  title={row.protocol}
                  onClick={() => setExpanded(expanded === i ? null : i)}
                >
                  {row.protocolSummary}
                </button>
              </td>
              {TABLE_COLUMNS.map((c) => (
                <td key={c}>
                  {formatMetric(row.values[c])}
                  {row.std[c] !== undefined && row.std[c] !== null && (
                    <span className="std">{formatStd(row.std[c])}</span>
                  )}
                </td>
              ))}
            </tr>
            {expanded === i && (
              <tr className="protocol-detail" data-testid="protocol-detail">
                <td colSpan={TABLE_COLUMNS.length + 2}>
                  <strong>Protocol:</strong> {row.protocol}
                  {!row.comparable && ' (not comparable with ours)'}. <strong>Source:</strong>{' '}
                  {row.source}
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}
