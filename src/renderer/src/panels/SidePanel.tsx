import { SHORTCUTS } from '../canvas/shortcuts';
import { useStore } from '../state/store';
import {
  LAYER_KEYS,
  LAYER_LABELS,
  type StudioController,
  type Tool,
} from '../state/studio-controller';

const TOOLS: { tool: Tool; label: string; key: string }[] = [
  { tool: 'brush', label: 'Brush', key: 'B' },
  { tool: 'eraser', label: 'Eraser', key: 'E' },
  { tool: 'fill', label: 'Fill', key: 'F' },
  { tool: 'polygon', label: 'Polygon', key: 'P' },
];

const layerKey = (command: string) => SHORTCUTS.find((s) => s.command === command)?.keys[0] ?? '';

/** Layers (visibility, opacity, style), tools, threshold, undo and the revision history. */
export function SidePanel({ controller }: { controller: StudioController }) {
  const { store } = controller;
  const layers = useStore(store, (s) => s.layers);
  const current = useStore(store, (s) => s.current);
  const maskStyle = useStore(store, (s) => s.maskStyle);
  const observer = useStore(store, (s) => s.observer);
  const threshold = useStore(store, (s) => s.threshold);
  const tool = useStore(store, (s) => s.tool);
  const brushSize = useStore(store, (s) => s.brushSize);
  const undoDepth = useStore(store, (s) => s.undoDepth);
  const redoDepth = useStore(store, (s) => s.redoDepth);
  const historyOpen = useStore(store, (s) => s.historyOpen);
  const revisions = useStore(store, (s) => s.revisions);
  const noPrediction = current !== null && current.probabilities === null;

  return (
    <div className="side-panel">
      <h2 className="region-title">Layers</h2>
      <ul className="layer-list">
        {LAYER_KEYS.map((key) => {
          const needsModel = key === 'prediction' || key === 'errors';
          return (
            <li key={key} className="layer-row" data-testid={`layer-${key}`}>
              <label>
                <input
                  type="checkbox"
                  checked={layers[key].visible}
                  onChange={(e) => controller.setLayerVisible(key, e.target.checked)}
                />{' '}
                {LAYER_LABELS[key]} <kbd>{layerKey(`layer.${key}`)}</kbd>
              </label>
              <input
                type="range"
                min={0}
                max={1}
                step={0.05}
                value={layers[key].opacity}
                aria-label={`${LAYER_LABELS[key]} opacity`}
                onChange={(e) => controller.setLayerOpacity(key, Number(e.target.value))}
              />
              {needsModel && noPrediction && (
                <p className="layer-note" data-testid={`layer-${key}-note`}>
                  {current?.predictionNote}
                </p>
              )}
            </li>
          );
        })}
      </ul>
      {current?.modelName && <p className="row muted small">Model: {current.modelName}</p>}
      <div className="row">
        <label>
          Threshold{' '}
          <input
            type="range"
            min={0}
            max={1}
            step={0.01}
            value={threshold}
            data-testid="threshold"
            onChange={(e) => controller.setThreshold(Number(e.target.value))}
          />{' '}
          <output>{threshold.toFixed(2)}</output>
        </label>
      </div>
      <div className="row">
        <button type="button" onClick={() => controller.run('layer.style')}>
          Masks: {maskStyle === 'filled' ? 'filled' : 'contours'} <kbd>C</kbd>
        </button>
        <button
          type="button"
          disabled={!current?.second}
          onClick={() => controller.run('layer.observer')}
        >
          Ground truth: {observer} <kbd>O</kbd>
        </button>
      </div>
      <div className="legend" aria-label="Error map colours">
        <span className="swatch tp" /> TP <span className="swatch fp" /> FP{' '}
        <span className="swatch fn" /> FN
      </div>

      <h2 className="region-title">Tools</h2>
      <div className="tool-row" role="radiogroup" aria-label="Tool">
        {TOOLS.map((t) => (
          <button
            key={t.tool}
            type="button"
            role="radio"
            aria-checked={tool === t.tool}
            className={tool === t.tool ? 'tool active' : 'tool'}
            data-testid={`tool-${t.tool}`}
            onClick={() => controller.setTool(t.tool)}
          >
            {t.label} <kbd>{t.key}</kbd>
          </button>
        ))}
      </div>
      <div className="row">
        <label>
          Size{' '}
          <input
            type="number"
            min={1}
            max={256}
            value={brushSize}
            data-testid="brush-size"
            onChange={(e) => controller.setBrushSize(Number(e.target.value))}
          />{' '}
          px <kbd>[</kbd> <kbd>]</kbd>
        </label>
      </div>
      <div className="row">
        <button type="button" disabled={undoDepth === 0} onClick={() => controller.undo()}>
          Undo ({undoDepth})
        </button>
        <button type="button" disabled={redoDepth === 0} onClick={() => controller.redo()}>
          Redo ({redoDepth})
        </button>
      </div>
      <div className="row">
        <button type="button" disabled={!current} onClick={() => controller.revertToGroundTruth()}>
          Revert to ground truth
        </button>
        <button
          type="button"
          disabled={!current?.probabilities}
          onClick={() => controller.revertToPrediction()}
        >
          Revert to prediction
        </button>
      </div>

      <h2 className="region-title">
        <button type="button" className="link" onClick={() => controller.run('history.toggle')}>
          Revision history {historyOpen ? '▾' : '▸'} <kbd>H</kbd>
        </button>
      </h2>
      {historyOpen && (
        <ol className="history" data-testid="history">
          {revisions.length === 0 && (
            <li className="muted">No revision yet: the mask is the label.</li>
          )}
          {revisions.map((r, i) => (
            <li key={r.id}>
              <span>
                #{r.id} {new Date(r.createdAt).toLocaleTimeString()} {r.note}
              </span>
              {i > 0 && (
                <button type="button" onClick={() => void controller.restoreRevision(r.id)}>
                  Restore
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
