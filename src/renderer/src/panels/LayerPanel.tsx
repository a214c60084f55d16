import { firstKey, type CommandId } from '../state/commands';
import { needsPrediction, type Scene } from '../state/scene';
import { useStore } from '../state/use-store';

/**
 * The layer list, one row per entry of the scene's list: a checkbox for visibility with the
 * layer's toggle key, an opacity slider, and why a prediction layer is empty when it is.
 */
export function LayerPanel({ scene }: { scene: Scene }) {
  const layers = useStore(scene, (s) => s.layers);
  const current = useStore(scene, (s) => s.current);
  const noPrediction = current !== null && current.probabilities === null;
  return (
    <ul className="layer-list">
      {layers.map((layer) => (
        <li key={layer.id} className="layer-row" data-testid={`layer-${layer.id}`}>
          <label>
            <input
              type="checkbox"
              checked={layer.visible}
              onChange={(e) => scene.setLayerVisible(layer.id, e.target.checked)}
            />{' '}
            {layer.name} <kbd>{firstKey(`layer.${layer.id}` satisfies CommandId)}</kbd>
          </label>
          <input
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={layer.opacity}
            aria-label={`${layer.name} opacity`}
            onChange={(e) => scene.setLayerOpacity(layer.id, Number(e.target.value))}
          />
          {needsPrediction(layer.kind) && noPrediction && (
            <p className="layer-note" data-testid={`layer-${layer.id}-note`}>
              {current?.predictionNote}
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}
