import { useEffect, useMemo, useRef, useState, type JSX } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import {
  RETRAIN_ARCHS,
  RETRAIN_DEFAULTS,
  type ProjectSplit,
  type RetrainScope,
  type RetrainSettings,
  type TrainingRunState,
} from '../../../shared/api/training';
import { quickRetrainSettings, withRetrainDefaults } from '../../../shared/retrain-defaults';
import { useApi } from '../api/client';
import { useAppInfo } from '../api/useAppInfo';
import { firstKey } from '../state/commands';
import { progressText } from './format';
import { defaultsHint, NUMBER_FIELDS, retrainDefaultsFor } from './retrain-settings';
import { useTrainingRun } from './useTrainingRun';

const ACTIVE: TrainingRunState['status'][] = ['queued', 'running', 'evaluating'];

const STATUS_TEXT: Record<TrainingRunState['status'], string> = {
  queued: 'Starting…',
  running: 'Training',
  evaluating: 'Evaluating on the test split…',
  finished: 'Finished',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

/**
 * What the run decided about its new version (activated, or kept beside the active one because
 * it scored worse on validation, or cancelled before its evaluation), with one click to use it.
 */
function RunDecisionNote({
  run,
  decision,
}: {
  run: TrainingRunState;
  decision: NonNullable<TrainingRunState['decision']>;
}): JSX.Element {
  const api = useApi();
  const [switched, setSwitched] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const modelId = run.modelId;
  return (
    <p
      className="hint"
      data-testid="run-decision"
      data-activated={String(decision.activate || switched)}
    >
      {decision.message}{' '}
      {!decision.activate && modelId !== null && !switched && (
        <button
          type="button"
          data-testid="activate-run-model"
          onClick={() =>
            void api.models
              .activate({ id: modelId })
              .then((result) => (result.ok ? setSwitched(true) : setFailure(result.error.message)))
          }
        >
          Use it
        </button>
      )}
      {switched && <span> Now active.</span>}
      {failure && <span role="alert"> {failure}</span>}
    </p>
  );
}

/** How the architecture menu names each preset a Retrain from scratch may train. */
const ARCH_LABELS: Record<(typeof RETRAIN_ARCHS)[number], string> = {
  'bench-unet': 'U-Net, 3 poolings, 16–128 wide',
  'unet-shared-residual': 'U-Net with shared-weights residual blocks',
  laddernet: 'LadderNet (layers 4, filters 10)',
};

/** Live training and validation loss and validation F1, one point per epoch. */
function LossChart({ run }: { run: TrainingRunState }) {
  if (run.history.length === 0) return null;
  return (
    <div data-testid="loss-chart">
      <LineChart
        width={270}
        height={160}
        data={run.history}
        margin={{ top: 6, right: 8, bottom: 4, left: -18 }}
      >
        <CartesianGrid stroke="#31363c" />
        <XAxis dataKey="epoch" stroke="#9aa3ad" fontSize={10} />
        <YAxis stroke="#9aa3ad" fontSize={10} />
        <Tooltip contentStyle={{ background: '#1d2024', border: '1px solid #31363c' }} />
        <Legend wrapperStyle={{ fontSize: 10 }} />
        <Line
          dataKey="loss"
          name="train loss"
          stroke="#56b4e9"
          dot={false}
          isAnimationActive={false}
        />
        <Line
          dataKey="valLoss"
          name="val loss"
          stroke="#e69f00"
          dot={false}
          isAnimationActive={false}
        />
        <Line
          dataKey="valF1"
          name="val F1"
          stroke="#009e73"
          dot={false}
          isAnimationActive={false}
        />
      </LineChart>
    </div>
  );
}

function NumberField(props: {
  label: string;
  value: number;
  step: number;
  min: number;
  max: number;
  onChange: (v: number) => void;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="number"
        value={props.value}
        step={props.step}
        min={props.min}
        max={props.max}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
    </label>
  );
}

/**
 * Retrain, or the quick fine-tune on the corrected images, with one click (or their keys, which
 * `onRetrainAction` receives the buttons' action for); settings, split, progress, live chart,
 * cancel and failures.
 */
export function RetrainPanel({
  onRetrainAction,
}: {
  onRetrainAction?: (action: ((scope: RetrainScope) => void) | null) => void;
}) {
  const api = useApi();
  const { run, error, busy, start, cancel } = useTrainingRun();
  const [showSettings, setShowSettings] = useState(false);
  const [split, setSplit] = useState<ProjectSplit | null>(null);
  const report = useAppInfo().info?.backend ?? null;
  // Only what the person changed; the rest follows the backend's defaults, even when app.info
  // answers after the panel opened.
  const [edits, setEdits] = useState<Partial<RetrainSettings>>({});
  const fineTune = edits.fineTune ?? RETRAIN_DEFAULTS.fineTune;
  const arch = edits.arch ?? RETRAIN_DEFAULTS.arch;
  const defaults = useMemo(
    () => retrainDefaultsFor(report, fineTune, arch),
    [report, fineTune, arch],
  );
  const settings = withRetrainDefaults(edits, defaults);
  const edited = NUMBER_FIELDS.some((f) => edits[f.key] !== undefined) || 'augment' in edits;

  useEffect(() => {
    let cancelled = false;
    void api.training.split({}).then((r) => {
      if (!cancelled && r.ok) setSplit(r.value);
    });
    return () => {
      cancelled = true;
    };
  }, [api, run?.status]);

  const active = run !== null && ACTIVE.includes(run.status);
  const fraction = run?.last?.fraction ?? 0;
  const set = <K extends keyof RetrainSettings>(key: K, value: RetrainSettings[K]) =>
    setEdits((e) => ({ ...e, [key]: value }));
  // What the panel shows; before app.info answers, only the edits, so the engine fills the
  // defaults for its own backend rather than the panel's CPU ones. The quick fine-tune keeps
  // the batch, learning rate and correction weight shown, with its own scope, epochs and steps.
  const startRun = (scope: RetrainScope) => {
    if (scope === 'all') void start(report ? { ...settings, scope } : { ...edits, scope });
    else
      void start(
        report
          ? quickRetrainSettings(settings)
          : { ...edits, fineTune: true, scope, epochs: undefined, stepsPerEpoch: undefined },
      );
  };
  // The keys do what the buttons do, and nothing while the buttons are disabled.
  const retrainKey = useRef<(scope: RetrainScope) => void>(() => {});
  useEffect(() => {
    retrainKey.current = (scope) => {
      if (!active && !busy) startRun(scope);
    };
  });
  useEffect(() => {
    if (!onRetrainAction) return;
    onRetrainAction((scope) => retrainKey.current(scope));
    return () => onRetrainAction(null);
  }, [onRetrainAction]);
  // Back to the backend's defaults; the choice of model stays.
  const resetToDefaults = () =>
    setEdits((e) => ({
      ...(e.fineTune === undefined ? {} : { fineTune: e.fineTune }),
      ...(e.arch === undefined ? {} : { arch: e.arch }),
    }));

  return (
    <section className="panel" aria-labelledby="retrain-title" data-testid="retrain-panel">
      <h2 className="region-title" id="retrain-title">
        Train
      </h2>
      <div className="panel-row">
        <button
          type="button"
          className="primary"
          data-testid="retrain"
          disabled={active || busy}
          onClick={() => startRun('all')}
          title={`${settings.fineTune ? 'Fine-tune the active model' : 'Train a new model'} on the current masks, corrections included, then evaluate it on the test images (${firstKey('training.retrain')})`}
        >
          {settings.fineTune ? 'Retrain' : 'Train from scratch'}
        </button>
        <button
          type="button"
          data-testid="quick-retrain"
          disabled={active || busy}
          onClick={() => startRun('corrections')}
          title={`Fine-tune the active model on the corrected training images only, patches around each correction, about a minute on the CPU; its predictions and test figures follow in the background (${firstKey('training.quickRetrain')})`}
        >
          Quick fine-tune
        </button>
        <button
          type="button"
          aria-expanded={showSettings}
          onClick={() => setShowSettings((v) => !v)}
        >
          Settings
        </button>
        {active && (
          <button type="button" data-testid="cancel-training" onClick={() => void cancel()}>
            Cancel
          </button>
        )}
      </div>

      {showSettings && (
        <div className="settings-grid" data-testid="retrain-settings">
          <label className="field field-wide">
            <input
              type="checkbox"
              checked={settings.fineTune}
              onChange={(e) => set('fineTune', e.target.checked)}
            />
            <span>Fine-tune the active model (off: new model from scratch)</span>
          </label>
          {!settings.fineTune && (
            <label className="field field-wide">
              <span>Architecture</span>
              <select value={settings.arch} onChange={(e) => set('arch', e.target.value)}>
                {RETRAIN_ARCHS.map((name) => (
                  <option key={name} value={name}>
                    {ARCH_LABELS[name]}
                  </option>
                ))}
              </select>
            </label>
          )}
          <p className="hint field-wide" data-testid="retrain-defaults">
            {defaultsHint(report, defaults)}{' '}
            {edited && (
              <button type="button" onClick={resetToDefaults}>
                Reset to defaults
              </button>
            )}
          </p>
          {NUMBER_FIELDS.map((f) => (
            <NumberField
              key={f.key}
              label={f.label}
              value={settings[f.key]}
              min={f.min}
              max={f.max}
              step={f.step}
              onChange={(v) => set(f.key, v)}
            />
          ))}
          <label className="field field-wide">
            <input
              type="checkbox"
              checked={settings.augment}
              onChange={(e) => set('augment', e.target.checked)}
            />
            <span>Augmentation (flips, rotations, elastic deformation, grey values)</span>
          </label>
        </div>
      )}

      {split && (
        <p className="hint" data-testid="split">
          {split.training.length} training, {split.validation.length} validation (fixed:{' '}
          {split.validation.map((id) => id.split('/').pop()).join(', ') || 'none'}),{' '}
          {split.test.length} test images (never trained on).
          {split.testRule && <span data-testid="split-rule"> Test images: {split.testRule}</span>}
        </p>
      )}

      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}

      {run && (
        <div className="run" data-testid="training-run" data-status={run.status}>
          <div className="run-head">
            <span>
              Run {run.runId}: {STATUS_TEXT[run.status]}
            </span>
            {run.last && <span className="hint">on {run.last.backend}</span>}
          </div>
          {active && (
            <>
              <div
                className="progress"
                role="progressbar"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(fraction * 100)}
              >
                <div className="progress-fill" style={{ width: `${fraction * 100}%` }} />
              </div>
              {run.last && (
                <p className="hint" data-testid="training-progress" data-phase={run.last.phase}>
                  {progressText(run.last)}
                </p>
              )}
            </>
          )}
          <LossChart run={run} />
          {run.decision && <RunDecisionNote run={run} decision={run.decision} />}
          {run.error && (
            <div className="inline-error" role="alert" data-testid="training-error">
              <strong>{run.error.code}</strong>: {run.error.message}
              <br />
              {run.error.action}
            </div>
          )}
        </div>
      )}
    </section>
  );
}
