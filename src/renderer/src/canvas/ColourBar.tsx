import { colourBarTicks, rampGradient, thresholdPosition } from './colour-bar';

const BAR_WIDTH = 180;

/**
 * A horizontal colour bar over 0..1 with ticks, for a layer drawn through a colour map. With
 * `threshold`, the threshold is marked; `hiddenBelow` dims the part under it (the heatmap
 * draws only probabilities at or above the threshold).
 */
export function ColourBar(props: {
  testId: string;
  title: string;
  ramp: Uint8Array;
  threshold?: number;
  hiddenBelow?: boolean;
  description: string;
}) {
  const { testId, title, ramp, threshold, hiddenBelow, description } = props;
  const marker = threshold === undefined ? null : thresholdPosition(threshold);
  return (
    <figure
      className="colour-bar"
      data-testid={testId}
      title={description}
      style={{
        margin: 0,
        padding: '4px 10px 2px',
        background: 'rgba(20, 20, 24, 0.78)',
        borderRadius: 4,
        color: '#ddd',
        font: '11px system-ui, sans-serif',
        width: BAR_WIDTH + 20,
      }}
    >
      <figcaption style={{ marginBottom: 3 }}>
        {title}
        {marker !== null && (
          <span data-testid={`${testId}-threshold`} style={{ float: 'right' }}>
            t = {threshold!.toFixed(2)}
          </span>
        )}
      </figcaption>
      <div style={{ position: 'relative', width: BAR_WIDTH, height: 10 }}>
        <div style={{ position: 'absolute', inset: 0, background: rampGradient(ramp, 17) }} />
        {hiddenBelow && marker !== null && (
          <div
            style={{
              position: 'absolute',
              left: 0,
              top: 0,
              bottom: 0,
              width: marker * BAR_WIDTH,
              background: 'rgba(20, 20, 24, 0.7)',
            }}
          />
        )}
        {marker !== null && (
          <div
            style={{
              position: 'absolute',
              left: marker * BAR_WIDTH - 1,
              top: -3,
              bottom: -3,
              width: 2,
              background: '#fff',
            }}
          />
        )}
      </div>
      <div style={{ position: 'relative', width: BAR_WIDTH, height: 14 }}>
        {colourBarTicks().map((tick) => (
          <span
            key={tick.label}
            style={{
              position: 'absolute',
              left: tick.position * BAR_WIDTH,
              transform: 'translateX(-50%)',
              top: 1,
            }}
          >
            {tick.label}
          </span>
        ))}
      </div>
    </figure>
  );
}
