/**
 * The canvas: Konva layers for the overlays (static per image), the corrected mask (updated
 * by dirty rectangles while painting) and the interactive bits (cursor footprint, polygon,
 * pixel grid). Pointer input goes straight to the mask document, never through React state,
 * so a stroke costs a stamp and a rectangle upload, not a render. Over the canvas: the cursor
 * readout (its own small store, so a pointer move renders only the readout) and the colour
 * bars of the probability and uncertainty layers while they are shown.
 */
import type Konva from 'konva';
import {
  useEffect,
  useMemo,
  useRef,
  useState,
  type PointerEvent as ReactPointerEvent,
  type RefObject,
} from 'react';
import { Image as KonvaImage, Layer, Line, Shape, Stage } from 'react-konva';
import { needsPrediction, type LayerEntry, type LayerId, type LoadedImage } from '../state/scene';
import { Store } from '../state/store';
import type { StudioController } from '../state/studio-controller';
import { useStore, useStoreFields } from '../state/use-store';
import { ColourBar } from './ColourBar';
import { isPressedBySpace, isTextField } from './focus';
import { footprintCursor, type LayerCanvases } from './layer-canvases';
import { HEATMAP_RAMP } from './colour-maps';
import { discFootprint } from './raster';
import { readoutAt, readoutFields, type PixelReadout } from './readout';
import { uncertaintyRampByProbability } from './uncertainty';
import { GRID_MIN_ZOOM, screenToImage, screenToPixel, zoomAt } from './view';

/** The layers drawn from an overlay canvas (all but the fundus image). */
type OverlayId = Exclude<LayerId, 'image'>;

interface Gesture {
  kind: 'paint' | 'pan' | 'size';
  pointerId: number;
  startX: number;
  startY: number;
  startView: { x: number; y: number };
  startSize: number;
}

export function StudioCanvas({ controller }: { controller: StudioController }) {
  const { scene } = controller;
  const { current, view, layers, tool, brushSize, polygon, loading, maskVersion } = useStoreFields(
    scene,
    ['current', 'view', 'layers', 'tool', 'brushSize', 'polygon', 'loading', 'maskVersion'],
  );

  const containerRef = useRef<HTMLDivElement>(null);
  const overlayLayer = useRef<Konva.Layer>(null);
  const maskLayer = useRef<Konva.Layer>(null);
  const uiLayer = useRef<Konva.Layer>(null);
  const cursorNode = useRef<Konva.Image>(null);
  const gesture = useRef<Gesture | null>(null);
  const spaceDown = useRef(false);
  const size = useRef({ width: 800, height: 600 });
  const readout = useMemo(() => new Store<{ at: PixelReadout | null }>({ at: null }), []);

  const cursorCanvas = useMemo(
    () =>
      tool === 'brush' || tool === 'eraser' ? footprintCursor(brushSize, tool === 'eraser') : null,
    [tool, brushSize],
  );

  // The controller asks for redraws of exactly the layers that changed.
  useEffect(() => {
    controller.attachCanvas({
      drawOverlays: () => overlayLayer.current?.batchDraw(),
      drawMask: () => maskLayer.current?.batchDraw(),
    });
    return () => controller.attachCanvas(null);
  }, [controller]);

  // Viewport size for fit and 1:1.
  const stageSize = useStageSize(containerRef, (w, h) => {
    size.current = { width: w, height: h };
    scene.setViewport(w, h);
  });

  // Space held: pan mode, wherever the focus is but in a text field (a slider or checkbox keeps
  // the focus after a click, and Space+drag there must pan, never paint). Tracked on window.
  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      if (e.code !== 'Space' || isTextField(e.target)) return;
      spaceDown.current = true;
      // No scrolling, no opened select; a button or checkbox is pressed on release, and only
      // when no drag took the focus to the canvas meanwhile.
      if (!isPressedBySpace(e.target)) e.preventDefault();
    };
    const up = (e: KeyboardEvent) => {
      if (e.code === 'Space') spaceDown.current = false;
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    };
  }, []);

  // Wheel zoom to the cursor (a native listener: React's wheel listener is passive).
  useEffect(() => {
    const el = containerRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const box = el.getBoundingClientRect();
      const factor = Math.pow(1.0015, -e.deltaY);
      scene.setView(zoomAt(scene.state.view, factor, e.clientX - box.left, e.clientY - box.top));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [scene]);

  const local = (e: { clientX: number; clientY: number }) => {
    const box = containerRef.current!.getBoundingClientRect();
    return { x: e.clientX - box.left, y: e.clientY - box.top };
  };

  const moveCursor = (sx: number, sy: number) => {
    const p = screenToPixel(controller.state.view, sx, sy);
    const shown = controller.state.current;
    const sources = shown ? controller.overlays.readoutSources(shown.fundus) : null;
    readout.set({ at: sources ? readoutAt(sources, p.x, p.y) : null });
    const node = cursorNode.current;
    if (!node) return;
    const offset = discFootprint(controller.state.brushSize).offset;
    node.position({ x: p.x - offset, y: p.y - offset });
    node.visible(true);
    uiLayer.current?.batchDraw();
  };

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    const s = controller.state;
    if (!s.current) return;
    containerRef.current?.focus();
    const p = local(e);
    const base = {
      pointerId: e.pointerId,
      startX: p.x,
      startY: p.y,
      startView: { x: s.view.x, y: s.view.y },
      startSize: s.brushSize,
    };
    if (e.button === 1 || (e.button === 0 && spaceDown.current)) {
      gesture.current = { kind: 'pan', ...base };
    } else if (e.button === 0 && e.altKey && (s.tool === 'brush' || s.tool === 'eraser')) {
      gesture.current = { kind: 'size', ...base };
    } else if (e.button === 0) {
      const px = screenToPixel(s.view, p.x, p.y);
      if (s.tool === 'fill') {
        if (s.current.doc.fillAt(px.x, px.y, e.altKey ? 0 : 1)) controller.afterEdit();
        return;
      }
      if (s.tool === 'polygon') {
        const ip = screenToImage(s.view, p.x, p.y);
        if (e.detail >= 2) controller.closePolygon(e.altKey);
        else scene.addPolygonPoint(ip.x, ip.y);
        return;
      }
      s.current.doc.beginStroke(s.tool === 'brush' ? 1 : 0, s.brushSize);
      s.current.doc.strokeTo(px.x, px.y);
      gesture.current = { kind: 'paint', ...base };
    } else {
      return;
    }
    e.currentTarget.setPointerCapture(e.pointerId);
    e.preventDefault();
  };

  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    const p = local(e);
    moveCursor(p.x, p.y);
    const g = gesture.current;
    if (!g || g.pointerId !== e.pointerId) return;
    const s = controller.state;
    if (g.kind === 'pan') {
      scene.setView({
        zoom: s.view.zoom,
        x: g.startView.x + p.x - g.startX,
        y: g.startView.y + p.y - g.startY,
      });
    } else if (g.kind === 'size') {
      scene.setBrushSize(g.startSize + (p.x - g.startX) / 4);
    } else if (s.current) {
      // Coalesced events keep fast strokes exact; Bresenham joins the points between them.
      const events = e.nativeEvent.getCoalescedEvents?.() ?? [];
      for (const ev of events.length > 0 ? events : [e.nativeEvent]) {
        const q = local(ev);
        const px = screenToPixel(s.view, q.x, q.y);
        s.current.doc.strokeTo(px.x, px.y);
      }
    }
  };

  const endGesture = (e: ReactPointerEvent<HTMLDivElement>) => {
    const g = gesture.current;
    if (!g || g.pointerId !== e.pointerId) return;
    gesture.current = null;
    if (g.kind === 'paint') {
      controller.state.current?.doc.endStroke();
      controller.afterEdit();
    }
  };

  const hideCursor = () => {
    readout.set({ at: null });
    cursorNode.current?.visible(false);
    uiLayer.current?.batchDraw();
  };

  const w = current?.width ?? 0;
  const h = current?.height ?? 0;
  return (
    <div
      ref={containerRef}
      className="studio-canvas"
      data-testid="canvas"
      data-image-id={current?.id ?? ''}
      data-mask-version={maskVersion}
      data-zoom={view.zoom}
      data-view-x={view.x}
      data-view-y={view.y}
      data-loading={loading ? 'true' : 'false'}
      tabIndex={0}
      aria-label="Image canvas: paint with the brush; press ? for shortcuts"
      style={{ cursor: tool === 'polygon' || tool === 'fill' ? 'crosshair' : 'none' }}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={endGesture}
      onPointerCancel={endGesture}
      onPointerLeave={hideCursor}
      onDoubleClick={(e) => e.preventDefault()}
      onContextMenu={(e) => e.preventDefault()}
    >
      <Stage
        width={stageSize.width}
        height={stageSize.height}
        x={view.x}
        y={view.y}
        scaleX={view.zoom}
        scaleY={view.zoom}
      >
        {/* Two Konva layers: the mask's is redrawn alone while painting; the rest is static. */}
        <Layer ref={overlayLayer} imageSmoothingEnabled={false} listening={false}>
          {current && layerImages(layers, false, current, controller.overlays)}
        </Layer>
        <Layer ref={maskLayer} imageSmoothingEnabled={false} listening={false}>
          {current && layerImages(layers, true, current, controller.overlays)}
        </Layer>
        <Layer ref={uiLayer} imageSmoothingEnabled={false} listening={false}>
          {current && view.zoom >= GRID_MIN_ZOOM && (
            <PixelGrid view={view} width={w} height={h} viewport={stageSize} />
          )}
          {polygon.length > 0 && (
            <Line
              points={polygon.flatMap((p) => [p.x, p.y])}
              stroke="#56b4e9"
              strokeWidth={1.5 / view.zoom}
              closed={polygon.length > 2}
              dash={[4 / view.zoom, 3 / view.zoom]}
            />
          )}
          {cursorCanvas && current && (
            <KonvaImage ref={cursorNode} image={cursorCanvas} visible={false} />
          )}
        </Layer>
      </Stage>
      <CursorReadout store={readout} />
      <LayerColourBars controller={controller} />
    </div>
  );
}

/** x, y, colour, probability and labels of the pixel under the pointer; empty off the image. */
function CursorReadout({ store }: { store: Store<{ at: PixelReadout | null }> }) {
  const at = useStore(store, (s) => s.at);
  const fields = readoutFields(at);
  return (
    <div
      className="cursor-readout"
      data-testid="cursor-readout"
      aria-live="off"
      style={{
        position: 'absolute',
        left: 8,
        bottom: 8,
        padding: fields.length > 0 ? '3px 8px' : 0,
        background: 'rgba(20, 20, 24, 0.78)',
        borderRadius: 4,
        color: '#ddd',
        font: '12px ui-monospace, monospace',
        pointerEvents: 'none',
        whiteSpace: 'pre',
        display: 'flex',
        gap: 12,
      }}
    >
      {fields.map((f) => (
        <span key={f.label} data-testid={`readout-${f.label.toLowerCase()}`}>
          {f.label} <b>{f.value}</b>
        </span>
      ))}
    </div>
  );
}

/** The colour bars of the probability heatmap and the uncertainty layer, while they are shown. */
function LayerColourBars({ controller }: { controller: StudioController }) {
  const { scene } = controller;
  const predicted = useStore(scene, (s) => s.current?.probabilities != null);
  const threshold = useStore(scene, (s) => s.threshold);
  const heatmap = useStore(scene, (s) => s.layers.find((l) => l.id === 'prediction')!.visible);
  const uncertainty = useStore(scene, (s) => s.layers.find((l) => l.id === 'uncertainty')!.visible);
  const uncertaintyRamp = useMemo(() => uncertaintyRampByProbability(threshold), [threshold]);
  if (!predicted || (!heatmap && !uncertainty)) return null;
  return (
    <div
      style={{
        position: 'absolute',
        right: 8,
        bottom: 8,
        display: 'flex',
        flexDirection: 'column',
        gap: 6,
        pointerEvents: 'none',
      }}
    >
      {heatmap && (
        <ColourBar
          testId="colour-bar-probability"
          title="Vessel probability"
          ramp={HEATMAP_RAMP}
          threshold={threshold}
          hiddenBelow
          description="The prediction layer colours probabilities at or above the threshold t; below it the layer is clear."
        />
      )}
      {uncertainty && (
        <ColourBar
          testId="colour-bar-uncertainty"
          title="Uncertainty by probability"
          ramp={uncertaintyRamp}
          threshold={threshold}
          description="Uncertainty is 1 at the threshold t and falls linearly to 0 at p = 0 and p = 1 (p/t below t, (1-p)/(1-t) above); the layer's alpha follows it, so sure pixels stay clear."
        />
      )}
    </div>
  );
}

/** One entry of the layer list, drawn from its source at its visibility and opacity. */
/** The images of the mask layer (`masks`) or of every other layer, in the scene's order. */
function layerImages(
  layers: readonly LayerEntry[],
  masks: boolean,
  image: LoadedImage,
  overlays: LayerCanvases,
) {
  return layers
    .filter((layer) => (layer.kind === 'mask') === masks)
    .map((layer) => <LayerImage key={layer.id} layer={layer} image={image} overlays={overlays} />);
}

function LayerImage(props: { layer: LayerEntry; image: LoadedImage; overlays: LayerCanvases }) {
  const { layer, image, overlays } = props;
  const source = layer.kind === 'image' ? image.fundus : overlays[layer.id as OverlayId].canvas;
  // A prediction layer without a prediction would show last image's pixels: hide it.
  const empty = needsPrediction(layer.kind) && image.probabilities === null;
  return (
    <KonvaImage
      image={source}
      width={image.width}
      height={image.height}
      visible={layer.visible && !empty}
      opacity={layer.opacity}
    />
  );
}

/** Lines between image pixels over the visible part of the image, from 8x zoom up. */
function PixelGrid(props: {
  view: { zoom: number; x: number; y: number };
  width: number;
  height: number;
  viewport: { width: number; height: number };
}) {
  const { view, width, height, viewport } = props;
  const x0 = Math.max(0, Math.floor(-view.x / view.zoom));
  const y0 = Math.max(0, Math.floor(-view.y / view.zoom));
  const x1 = Math.min(width, Math.ceil((viewport.width - view.x) / view.zoom));
  const y1 = Math.min(height, Math.ceil((viewport.height - view.y) / view.zoom));
  return (
    <Shape
      stroke="rgba(255,255,255,0.18)"
      strokeWidth={1 / view.zoom}
      sceneFunc={(ctx, shape) => {
        ctx.beginPath();
        for (let x = x0; x <= x1; x++) {
          ctx.moveTo(x, y0);
          ctx.lineTo(x, y1);
        }
        for (let y = y0; y <= y1; y++) {
          ctx.moveTo(x0, y);
          ctx.lineTo(x1, y);
        }
        ctx.strokeShape(shape);
      }}
    />
  );
}

/** Tracks an element's size with a ResizeObserver. */
function useStageSize(
  ref: RefObject<HTMLDivElement | null>,
  onResize: (w: number, h: number) => void,
): { width: number; height: number } {
  const [sizeState, setSize] = useState({ width: 800, height: 600 });
  const callback = useRef(onResize);
  useEffect(() => {
    callback.current = onResize;
  });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      const w = Math.max(1, Math.floor(el.clientWidth));
      const h = Math.max(1, Math.floor(el.clientHeight));
      callback.current(w, h);
      setSize({ width: w, height: h });
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref, setSize]);
  return sizeState;
}
