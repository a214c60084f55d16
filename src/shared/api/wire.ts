/**
 * The WebSocket framing of browser mode. Messages are JSON, except that typed arrays travel
 * as binary attachments after the JSON, so a mask or an image never becomes a JSON array of
 * pixels. Frame: [u32 json length][json utf-8][u32 length][bytes]... (little endian).
 */
import type { ErrorInfo, Result } from '../result';

export type WireMessage =
  | { type: 'request'; id: number; name: string; input: unknown }
  | { type: 'response'; id: number; result: Result<unknown> }
  | { type: 'event'; name: string; payload: unknown }
  | { type: 'error'; error: ErrorInfo };

type Typed = Uint8Array | Uint16Array | Float32Array | Int32Array | Uint32Array;
type TypedKind = 'Uint8Array' | 'Uint16Array' | 'Float32Array' | 'Int32Array' | 'Uint32Array';
const CONSTRUCTORS: Record<TypedKind, new (buffer: ArrayBuffer) => Typed> = {
  Uint8Array,
  Uint16Array,
  Float32Array,
  Int32Array,
  Uint32Array,
};

function typedKind(value: unknown): TypedKind | null {
  if (value instanceof Uint8Array) return 'Uint8Array';
  if (value instanceof Uint16Array) return 'Uint16Array';
  if (value instanceof Float32Array) return 'Float32Array';
  if (value instanceof Int32Array) return 'Int32Array';
  if (value instanceof Uint32Array) return 'Uint32Array';
  return null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a message into one binary frame. */
export function encodeWire(message: WireMessage): Uint8Array {
  const attachments: Uint8Array[] = [];
  const json = JSON.stringify(message, (_key, value: unknown) => {
    const kind = typedKind(value);
    if (kind === null) return value;
    const typed = value as Typed;
    attachments.push(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength));
    return { $bin: attachments.length - 1, $kind: kind };
  });
  const head = encoder.encode(json);
  let size = 4 + head.byteLength;
  for (const a of attachments) size += 4 + a.byteLength;
  const frame = new Uint8Array(size);
  const view = new DataView(frame.buffer);
  view.setUint32(0, head.byteLength, true);
  frame.set(head, 4);
  let offset = 4 + head.byteLength;
  for (const a of attachments) {
    view.setUint32(offset, a.byteLength, true);
    frame.set(a, offset + 4);
    offset += 4 + a.byteLength;
  }
  return frame;
}

/** Decodes one binary frame; throws a plain Error on a malformed frame. */
export function decodeWire(frame: Uint8Array): WireMessage {
  if (frame.byteLength < 4) throw new Error('Malformed frame: shorter than its header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const headLength = view.getUint32(0, true);
  if (4 + headLength > frame.byteLength)
    throw new Error('Malformed frame: JSON overruns the frame');
  const attachments: Uint8Array[] = [];
  let offset = 4 + headLength;
  while (offset < frame.byteLength) {
    if (offset + 4 > frame.byteLength)
      throw new Error('Malformed frame: truncated attachment header');
    const length = view.getUint32(offset, true);
    if (offset + 4 + length > frame.byteLength)
      throw new Error('Malformed frame: truncated attachment');
    attachments.push(frame.slice(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  const json = decoder.decode(frame.subarray(4, 4 + headLength));
  return JSON.parse(json, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && '$bin' in value && '$kind' in value) {
      const { $bin, $kind } = value as { $bin: number; $kind: TypedKind };
      const bytes = attachments[$bin];
      const Ctor = CONSTRUCTORS[$kind];
      if (bytes === undefined || Ctor === undefined)
        throw new Error('Malformed frame: bad attachment');
      // Copy into a fresh, aligned buffer so every typed view is valid.
      return new Ctor(bytes.slice().buffer);
    }
    return value;
  }) as WireMessage;
}
