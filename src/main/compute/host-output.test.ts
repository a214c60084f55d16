import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { forwardWithoutNoise } from './host';

describe('forwardWithoutNoise', () => {
  it("drops Dawn's lowered-limit lines and keeps everything else, across chunk boundaries", async () => {
    const from = new PassThrough();
    let written = '';
    forwardWithoutNoise(from, { write: (text: string) => (written += text) });
    from.write(
      'tfjs: backend wasm\nWarning: maxDynamicUniformBuffersPerPipelineLayout artificially ',
    );
    from.write('reduced from 1000000 to 16 to fit dynamic offset allocation limit.\n');
    from.write(
      'Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\r\n',
    );
    from.write('Warning: something else\nno newline at the end');
    from.end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(written).toBe('tfjs: backend wasm\nWarning: something else\nno newline at the end');
  });
});
