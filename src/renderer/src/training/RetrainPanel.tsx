import { useEffect, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type {
  ProjectSplit,
  RetrainSettingsInput,
  TrainingRunState,
} from '../../../shared/api/training';
import { useApi } from '../api/client';
import { formatEta, runFraction } from './format';
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

type NumericSetting =
  'epochs' | 'stepsPerEpoch' | 'batchSize' | 'patchSize' | 'learningRate' | 'correctionWeight';

/** The numeric retrain settings, in the order the settings panel shows them. */
const NUMBER_FIELDS: { key: NumericSetting; label: string; min: number; step?: number }[] = [
  { key: 'epochs', label: 'Epochs', min: 1 },
  { key: 'stepsPerEpoch', label: 'Steps/epoch', min: 1 },
  { key: 'batchSize', label: 'Batch', min: 1 },
  { key: 'patchSize', label: 'Patch px', min: 16 },
  { key: 'learningRate', label: 'Learning rate', min: 0, step: 0.0001 },
  { key: 'correctionWeight', label: 'Correction weight', min: 1 },
];

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
  step?: number;
  min?: number;
  onChange: (v: number) => void;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="number"
        value={props.value}
        step={props.step ?? 1}
        min={props.min ?? 0}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
    </label>
  );
}

/** Retrain with one click; settings, split, progress, live chart, cancel and failures. */
export function RetrainPanel() {
  const api = useApi();
  const { run, error, busy, start, cancel } = useTrainingRun();
  const [showSettings, setShowSettings] = useState(false);
  const [split, setSplit] = useState<ProjectSplit | null>(null);
  const [settings, setSettings] = useState<
    Required<Omit<RetrainSettingsInput, 'arch'>> & { arch: string }
  >({
    fineTune: true,
    arch: 'bench-unet',
    epochs: 5,
    stepsPerEpoch: 50,
    batchSize: 16,
    patchSize: 48,
    learningRate: 1e-4,
    augment: true,
    correctionWeight: 5,
  });

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
  const fraction = runFraction(run?.last ?? null);
  const set = <K extends keyof typeof settings>(key: K, value: (typeof settings)[K]) =>
    setSettings((s) => ({ ...s, [key]: value }));

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
          onClick={() => void start(settings)}
          title="Fine-tune the active model on the current masks, corrections included (R)"
        >
          {settings.fineTune ? 'Retrain' : 'Train from scratch'}
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
                <option value="bench-unet">U-Net, 3 poolings, 16–128 wide</option>
                <option value="unet-shared-residual">
                  U-Net with shared-weights residual blocks
                </option>
                <option value="laddernet">LadderNet (layers 4, filters 10)</option>
              </select>
            </label>
          )}
          {NUMBER_FIELDS.map((f) => (
            <NumberField
              key={f.key}
              label={f.label}
              value={settings[f.key]}
              min={f.min}
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
                <p className="hint" data-testid="training-progress">
                  epoch {run.last.epoch}/{run.last.epochs}, batch {run.last.batch}/
                  {run.last.batchesPerEpoch}, loss {run.last.loss.toFixed(4)} · ETA{' '}
                  {formatEta(run.last.etaSeconds)}
                </p>
              )}
            </>
          )}
          <LossChart run={run} />
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
