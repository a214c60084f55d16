import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/result';
import { createEngine } from '.';
import { dispatchRequest } from './dispatch';
import type { Handlers } from './handlers';

function engine() {
  return createEngine({
    mode: 'cli',
    appVersion: '9.9.9',
    electronVersion: null,
    resourcesDir: '/nonexistent',
  });
}

describe('dispatchRequest', () => {
  it('answers app.info with the version and a backend report', async () => {
    const result = await engine().request('app.info', {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const info = result.value as {
      version: string;
      backend: { active: string; rejected: unknown[] };
    };
    expect(info.version).toBe('9.9.9');
    expect(['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']).toContain(
      info.backend.active,
    );
  });

  it('refuses an unknown request name with UNKNOWN_REQUEST', async () => {
    const result = await engine().request('app.nope', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
    const prototypeName = await engine().request('toString', {});
    expect(prototypeName).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
  });

  it('refuses input that does not match the schema before any handler runs', async () => {
    let called = false;
    const handlers = {
      'app.info': async () => {
        called = true;
        return {};
      },
    } as unknown as Handlers;
    const result = await dispatchRequest(handlers, 'app.info', { unexpected: 1 });
    expect(called).toBe(false);
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    if (!result.ok) expect(result.error.message).toMatch(/app\.info/);
  });

  it('turns thrown errors into error values, keeping AppError codes', async () => {
    const throwing = (error: unknown) =>
      ({
        'app.info': async () => {
          throw error;
        },
      }) as unknown as Handlers;
    expect(
      await dispatchRequest(throwing(new AppError('DATASET_EMPTY', 'No images.')), 'app.info', {}),
    ).toEqual({
      ok: false,
      error: { code: 'DATASET_EMPTY', message: 'No images.' },
    });
    expect(await dispatchRequest(throwing(new Error('boom')), 'app.info', {})).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'boom' },
    });
  });
});
