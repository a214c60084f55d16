import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeWire, encodeWire, type WireMessage } from '../../shared/api/wire';
import { createEngine } from '../engine';
import {
  contentSecurityPolicy,
  isLoopbackHost,
  startServer,
  type RunningServer,
} from './serve-http';

const TOKEN = 'test-token-0123456789abcdef';

describe('browser-mode server', () => {
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    const top = await mkdtemp(path.join(os.tmpdir(), 'vessel-serve-'));
    const dir = path.join(top, 'renderer');
    await mkdir(path.join(dir, 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(top, 'secret.txt'), 'outside');
    const engine = createEngine({
      mode: 'browser',
      appVersion: '1.2.3',
      electronVersion: null,
      resourcesDir: dir,
    });
    server = await startServer({ engine, rendererDir: dir, port: 0, token: TOKEN });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('binds to 127.0.0.1 by default and prints the token in the URL', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`${base}/?token=${TOKEN}`);
  });

  it('refuses requests without the token, and trades the token for a cookie', async () => {
    expect((await fetch(`${base}/`)).status).toBe(403);
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(403);
    const first = await fetch(server.url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-security-policy')).toContain("default-src 'self'");
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await fetch(`${base}/assets/app.js`, {
      headers: { cookie: cookie.split(';')[0] as string },
    });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('never serves files outside the renderer folder, and survives a malformed path', async () => {
    const res = await fetch(`${base}/..%2Fsecret.txt?token=${TOKEN}`);
    expect(res.status).toBe(404);
    expect((await fetch(`${base}/%E0%A4%A?token=${TOKEN}`)).status).toBe(400);
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('answers contract requests over the WebSocket and validates them', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const replies: WireMessage[] = [];
    ws.on('message', (data: Buffer) => replies.push(decodeWire(new Uint8Array(data))));
    ws.send(encodeWire({ type: 'request', id: 1, name: 'app.info', input: {} }));
    ws.send(encodeWire({ type: 'request', id: 2, name: 'app.info', input: { bogus: true } }));
    ws.send('text is not the protocol');
    await expect.poll(() => replies.length).toBe(3);
    const byId = (id: number) =>
      replies.find((r) => r.type === 'response' && r.id === id) as Extract<
        WireMessage,
        { type: 'response' }
      >;
    expect(byId(1).result).toMatchObject({
      ok: true,
      value: { version: '1.2.3', mode: 'browser' },
    });
    expect(byId(2).result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(replies.find((r) => r.type === 'error')).toMatchObject({ error: { code: 'TRANSPORT' } });
    ws.close();
  });

  it('knows which hosts are loopback and builds a CSP that allows only its own socket', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.5.0.1')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.4')).toBe(false);
    const csp = contentSecurityPolicy('127.0.0.1', 4000);
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:4000");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/https?:/);
  });
});
