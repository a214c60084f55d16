import type { InputHTMLAttributes, ReactNode } from 'react';
import { firstKey, type CommandId } from '../state/commands';
import type { Tool } from '../state/scene';
import type { StudioController } from '../state/studio-controller';
import { useStoreFields } from '../state/use-store';
import { LayerPanel } from './LayerPanel';

const TOOLS: { tool: Tool; label: string; command: CommandId }[] = [
  { tool: 'brush', label: 'Brush', command: 'tool.brush' },
  { tool: 'eraser', label: 'Eraser', command: 'tool.eraser' },
  { tool: 'fill', label: 'Fill', command: 'tool.fill' },
  { tool: 'polygon', label: 'Polygon', command: 'tool.polygon' },
];

/** Layers (visibility, opacity, style), tools, threshold, undo and the revision history. */
export function SidePanel({ controller }: { controller: StudioController }) {
  const { scene } = controller;
  const {
    current,
    maskStyle,
    observer,
    threshold,
    tool,
    brushSize,
    undoDepth,
    redoDepth,
    historyOpen,
    revisions,
  } = useStoreFields(scene, [
    'current',
    'maskStyle',
    'observer',
    'threshold',
    'tool',
    'brushSize',
    'undoDepth',
    'redoDepth',
    'historyOpen',
    'revisions',
  ]);

  return (
    <div className="side-panel">
      <h2 className="region-title">Layers</h2>
      <LayerPanel scene={scene} />
      {current?.modelName && (
        <p className="row muted small">
          Model: {current.modelName}
          {current.predictionScale && `, ${current.predictionScale}`}
        </p>
      )}
      <NumberField
        label="Threshold"
        bounds={{ type: 'range', min: 0, max: 1, step: 0.01 }}
        value={threshold}
        testId="threshold"
        onChange={(v) => scene.setThreshold(v)}
      >
        <output>{threshold.toFixed(2)}</output>
      </NumberField>
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
            onClick={() => scene.setTool(t.tool)}
          >
            {t.label} <kbd>{firstKey(t.command)}</kbd>
          </button>
        ))}
      </div>
      <NumberField
        label="Size"
        bounds={{ type: 'number', min: 1, max: 256 }}
        value={brushSize}
        testId="brush-size"
        onChange={(v) => scene.setBrushSize(v)}
      >
        px <kbd>[</kbd> <kbd>]</kbd>
      </NumberField>
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
              <span title={`Revision ${r.id}${r.note ? ` (${r.note})` : ''}`}>
                {new Date(r.createdAt).toLocaleTimeString()}{' '}
                <span data-testid="revision-title">{r.title ?? `#${r.id} ${r.note}`}</span>
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

/** A labelled number input (slider or box) on a row of its own, followed by its unit or keys. */
function NumberField({
  label,
  bounds,
  value,
  testId,
  onChange,
  children,
}: {
  label: string;
  bounds: Pick<InputHTMLAttributes<HTMLInputElement>, 'type' | 'min' | 'max' | 'step'>;
  value: number;
  testId: string;
  onChange: (value: number) => void;
  children: ReactNode;
}) {
  return (
    <div className="row">
      <label>
        {label}{' '}
        <input
          {...bounds}
          value={value}
          data-testid={testId}
          onChange={(e) => onChange(Number(e.target.value))}
        />{' '}
        {children}
      </label>
    </div>
  );
}
