import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire, type WireMessage } from './wire';

describe('wire framing', () => {
  it('round-trips JSON with typed arrays as binary attachments', () => {
    const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 0, 255]);
    const probs = new Float32Array([0, 0.25, 0.5, 1]);
    const depth = new Uint16Array([0, 65535, 1234]);
    const message: WireMessage = {
      type: 'response',
      id: 7,
      result: { ok: true, value: { name: 'x', png, nested: { probs, list: [depth] } } },
    };
    const frame = encodeWire(message);
    const back = decodeWire(frame) as Extract<WireMessage, { type: 'response' }>;
    expect(back.id).toBe(7);
    const value = (back.result as { ok: true; value: Record<string, unknown> }).value;
    expect(value.png).toBeInstanceOf(Uint8Array);
    expect(Array.from(value.png as Uint8Array)).toEqual(Array.from(png));
    const nested = value.nested as { probs: Float32Array; list: Uint16Array[] };
    expect(nested.probs).toBeInstanceOf(Float32Array);
    expect(Array.from(nested.probs)).toEqual([0, 0.25, 0.5, 1]);
    expect(Array.from(nested.list[0] as Uint16Array)).toEqual([0, 65535, 1234]);
  });

  it('keeps pixels out of the JSON text', () => {
    const big = new Uint8Array(100_000).fill(7);
    const frame = encodeWire({ type: 'event', name: 'e', payload: { big } });
    const jsonLength = new DataView(frame.buffer).getUint32(0, true);
    expect(jsonLength).toBeLessThan(200);
    expect(frame.byteLength).toBe(4 + jsonLength + 4 + big.byteLength);
  });

  it('encodes a view into a larger buffer by its own bytes only', () => {
    const backing = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const view = backing.subarray(2, 4);
    const back = decodeWire(encodeWire({ type: 'event', name: 'e', payload: view }));
    expect(Array.from((back as { payload: Uint8Array }).payload)).toEqual([3, 4]);
  });

  it('rejects truncated and malformed frames with an error', () => {
    const frame = encodeWire({ type: 'event', name: 'e', payload: new Uint8Array(10) });
    expect(() => decodeWire(frame.subarray(0, 2))).toThrow(/shorter than its header/);
    expect(() => decodeWire(frame.subarray(0, frame.byteLength - 3))).toThrow(
      /truncated attachment/,
    );
    const bogus = new Uint8Array(8);
    new DataView(bogus.buffer).setUint32(0, 1000, true);
    expect(() => decodeWire(bogus)).toThrow(/overruns/);
  });
});
