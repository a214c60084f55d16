import { describe, expect, it } from 'vitest';
import { DATASET_ERROR_CODES, STUDIO_ERROR_CODES } from '../../shared/api/errors';
import { AppError } from '../../shared/result';
import { createEngine } from '.';
import { dispatchRequest, setUndeclaredErrorReporter } from './dispatch';
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
        'studio.image': async () => {
          throw error;
        },
      }) as unknown as Handlers;
    const input = { id: 'test/01' };
    expect(
      await dispatchRequest(
        throwing(new AppError(DATASET_ERROR_CODES.NO_USABLE_IMAGES, 'No images.')),
        'studio.image',
        input,
      ),
    ).toEqual({
      ok: false,
      error: { code: 'DATASET_NO_USABLE_IMAGES', message: 'No images.' },
    });
    expect(await dispatchRequest(throwing(new Error('boom')), 'studio.image', input)).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'boom' },
    });
  });

  it('reports a code the request does not declare: INTERNAL under tests, else kept and logged', async () => {
    const handlers = {
      'app.info': async () => {
        throw new AppError(STUDIO_ERROR_CODES.NOT_OPEN, 'No dataset is open.');
      },
    } as unknown as Handlers;
    // Under vitest the answer is INTERNAL, naming the request and the code to declare.
    const strict = await dispatchRequest(handlers, 'app.info', {});
    expect(strict).toMatchObject({
      ok: false,
      error: {
        code: 'INTERNAL',
        details: { undeclared: { code: 'STUDIO_NOT_OPEN', message: 'No dataset is open.' } },
      },
    });
    if (!strict.ok) expect(strict.error.message).toMatch(/app\.info failed with STUDIO_NOT_OPEN/);
    // Another reporter sees it and decides what the caller gets.
    const seen: string[] = [];
    const previous = setUndeclaredErrorReporter((name, error) => {
      seen.push(`${name} ${error.code}`);
      return error;
    });
    try {
      expect(await dispatchRequest(handlers, 'app.info', {})).toMatchObject({
        ok: false,
        error: { code: 'STUDIO_NOT_OPEN' },
      });
    } finally {
      setUndeclaredErrorReporter(previous);
    }
    expect(seen).toEqual(['app.info STUDIO_NOT_OPEN']);
  });

  it('answers a request on no open session with its declared STUDIO_NOT_OPEN', async () => {
    const result = await engine().request('studio.mask', { id: 'test/01' });
    expect(result).toMatchObject({ ok: false, error: { code: STUDIO_ERROR_CODES.NOT_OPEN } });
  });
});
