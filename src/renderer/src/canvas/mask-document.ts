/**
 * The corrected mask of one image, outside React: a 0/1 Uint8Array that changes only through
 * the small functions below, each recording one undo step. Steps store the changed pixel
 * indices and their new values (masks are binary, so the old value is the other one), never
 * a copy of the whole mask, so hundreds of steps fit even on a 3504x2336 image.
 */
import {
  bresenham,
  discFootprint,
  floodFillSpans,
  polygonSpans,
  unionRect,
  type Footprint,
  type PixelRect,
} from './raster';

/** One undoable change: which pixels it changed, to what, and the rectangle they lie in. */
export interface UndoStep {
  label: string;
  indices: Uint32Array;
  after: Uint8Array;
  rect: PixelRect;
}

/** Undo steps kept per image; the oldest are dropped beyond it. */
export const UNDO_LIMIT = 200;

type ChangeListener = (rect: PixelRect) => void;

class StepRecorder {
  private indices: number[] = [];
  private after: number[] = [];
  rect: PixelRect | null = null;

  constructor(readonly label: string) {}

  record(index: number, value: number): void {
    this.indices.push(index);
    this.after.push(value);
  }

  get size(): number {
    return this.indices.length;
  }

  finish(): UndoStep | null {
    if (this.indices.length === 0 || !this.rect) return null;
    return {
      label: this.label,
      indices: Uint32Array.from(this.indices),
      after: Uint8Array.from(this.after),
      rect: this.rect,
    };
  }
}

interface ActiveStroke {
  value: 0 | 1;
  footprint: Footprint;
  last: { x: number; y: number } | null;
  recorder: StepRecorder;
}

export class MaskDocument {
  readonly data: Uint8Array;
  private readonly undoStack: UndoStep[] = [];
  private readonly redoStack: UndoStep[] = [];
  private stroke: ActiveStroke | null = null;
  private readonly listeners = new Set<ChangeListener>();
  /** Bumped on every change; compared with `savedVersion` to know what is not yet saved. */
  version = 0;
  savedVersion = 0;
  /** The project revision the saved state is (null: never saved, the mask came from a label). */
  revisionId: number | null;

  constructor(
    readonly width: number,
    readonly height: number,
    initial?: Uint8Array,
    revisionId: number | null = null,
  ) {
    if (initial && initial.length !== width * height) {
      throw new Error(`Mask has ${initial.length} pixels, expected ${width}x${height}`);
    }
    this.data = new Uint8Array(width * height);
    if (initial) for (let i = 0; i < initial.length; i++) this.data[i] = initial[i]! > 0 ? 1 : 0;
    this.revisionId = revisionId;
  }

  /** Calls `listener` with the changed rectangle after every change; returns the unsubscribe. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  get undoDepth(): number {
    return this.undoStack.length;
  }

  get redoDepth(): number {
    return this.redoStack.length;
  }

  get dirty(): boolean {
    return this.version !== this.savedVersion;
  }

  get stroking(): boolean {
    return this.stroke !== null;
  }

  /** Starts a brush (value 1) or eraser (value 0) stroke of the given diameter. */
  beginStroke(value: 0 | 1, diameter: number, label = value === 1 ? 'Brush' : 'Eraser'): void {
    this.stroke = {
      value,
      footprint: discFootprint(diameter),
      last: null,
      recorder: new StepRecorder(label),
    };
  }

  /**
   * Extends the stroke to pixel (x, y): the footprint is stamped on every pixel of the
   * Bresenham segment from the previous point. Returns the rectangle that changed, or null.
   */
  strokeTo(x: number, y: number): PixelRect | null {
    const stroke = this.stroke;
    if (!stroke) return null;
    const from = stroke.last ?? { x, y };
    stroke.last = { x, y };
    const { footprint, value, recorder } = stroke;
    const before = recorder.size;
    bresenham(from.x, from.y, x, y, (cx, cy) => this.stamp(footprint, cx, cy, value, recorder));
    if (recorder.size === before) return null;
    const rect = clipRect(
      {
        x: Math.min(from.x, x) - footprint.offset,
        y: Math.min(from.y, y) - footprint.offset,
        width: Math.abs(x - from.x) + footprint.diameter,
        height: Math.abs(y - from.y) + footprint.diameter,
      },
      this.width,
      this.height,
    );
    if (rect) this.emit(rect);
    return rect;
  }

  /** Ends the stroke; records it as one undo step when it changed anything. */
  endStroke(): UndoStep | null {
    const stroke = this.stroke;
    this.stroke = null;
    if (!stroke) return null;
    return this.push(stroke.recorder.finish());
  }

  /** Sets the 4-connected region of equal value around (x, y) to `value`. */
  fillAt(x: number, y: number, value: 0 | 1): UndoStep | null {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return null;
    if (this.data[y * this.width + x] === value) return null;
    const recorder = new StepRecorder(value === 1 ? 'Fill' : 'Fill (erase)');
    const rect = floodFillSpans(this.data, this.width, this.height, x, y, (sy, x0, x1) =>
      this.setSpan(sy, x0, x1, value, recorder),
    );
    recorder.rect = rect;
    return this.commit(recorder);
  }

  /** Fills a polygon (image coordinates, even-odd rule on pixel centres) with `value`. */
  fillPolygon(points: ReadonlyArray<{ x: number; y: number }>, value: 0 | 1): UndoStep | null {
    const recorder = new StepRecorder(value === 1 ? 'Polygon' : 'Polygon (erase)');
    polygonSpans(points, this.width, this.height, (sy, x0, x1) =>
      this.setSpan(sy, x0, x1, value, recorder),
    );
    return this.commit(recorder);
  }

  /** Replaces the whole mask (revert to a label or the prediction, restore a revision). */
  replaceAll(next: Uint8Array, label: string): UndoStep | null {
    if (next.length !== this.data.length) {
      throw new Error(`Mask has ${next.length} pixels, expected ${this.width}x${this.height}`);
    }
    const recorder = new StepRecorder(label);
    const w = this.width;
    let minX = w;
    let minY = this.height;
    let maxX = -1;
    let maxY = -1;
    for (let i = 0; i < next.length; i++) {
      const v = next[i]! > 0 ? 1 : 0;
      if (this.data[i] !== v) {
        this.data[i] = v;
        recorder.record(i, v);
        const px = i % w;
        const py = (i - px) / w;
        if (px < minX) minX = px;
        if (px > maxX) maxX = px;
        if (py < minY) minY = py;
        if (py > maxY) maxY = py;
      }
    }
    if (maxX >= 0)
      recorder.rect = { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
    return this.commit(recorder);
  }

  /** Undoes the last step; returns it, or null when there is none. */
  undo(): UndoStep | null {
    if (this.stroke) this.endStroke();
    const step = this.undoStack.pop();
    if (!step) return null;
    const { indices, after } = step;
    for (let i = 0; i < indices.length; i++) this.data[indices[i]!] = 1 - after[i]!;
    this.redoStack.push(step);
    this.version++;
    this.emit(step.rect);
    return step;
  }

  /** Redoes the last undone step; returns it, or null when there is none. */
  redo(): UndoStep | null {
    const step = this.redoStack.pop();
    if (!step) return null;
    const { indices, after } = step;
    for (let i = 0; i < indices.length; i++) this.data[indices[i]!] = after[i]!;
    this.undoStack.push(step);
    this.version++;
    this.emit(step.rect);
    return step;
  }

  /** Marks the current state as saved as `revisionId`. */
  markSaved(version: number, revisionId: number): void {
    this.savedVersion = version;
    this.revisionId = revisionId;
  }

  private stamp(fp: Footprint, cx: number, cy: number, value: 0 | 1, rec: StepRecorder): void {
    const ox = cx - fp.offset;
    const oy = cy - fp.offset;
    for (const span of fp.spans) {
      const y = oy + span.dy;
      if (y < 0 || y >= this.height) continue;
      const x0 = Math.max(0, ox + span.x0);
      const x1 = Math.min(this.width - 1, ox + span.x1);
      if (x1 >= x0) this.setSpan(y, x0, x1, value, rec);
    }
  }

  private setSpan(y: number, x0: number, x1: number, value: 0 | 1, rec: StepRecorder): void {
    const row = y * this.width;
    let changed = false;
    for (let i = row + x0; i <= row + x1; i++) {
      if (this.data[i] !== value) {
        this.data[i] = value;
        rec.record(i, value);
        changed = true;
      }
    }
    if (changed) rec.rect = unionRect(rec.rect, { x: x0, y, width: x1 - x0 + 1, height: 1 });
  }

  private commit(recorder: StepRecorder): UndoStep | null {
    const step = this.push(recorder.finish());
    if (step) this.emit(step.rect);
    return step;
  }

  private push(step: UndoStep | null): UndoStep | null {
    if (!step) return null;
    this.undoStack.push(step);
    if (this.undoStack.length > UNDO_LIMIT) this.undoStack.shift();
    this.redoStack.length = 0;
    this.version++;
    return step;
  }

  private emit(rect: PixelRect): void {
    for (const listener of this.listeners) listener(rect);
  }
}

/** Clips a rectangle to the image; null when nothing is left. */
export function clipRect(rect: PixelRect, width: number, height: number): PixelRect | null {
  const x0 = Math.max(0, rect.x);
  const y0 = Math.max(0, rect.y);
  const x1 = Math.min(width, rect.x + rect.width);
  const y1 = Math.min(height, rect.y + rect.height);
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
