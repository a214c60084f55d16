import { randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeWire, encodeWire, type WireMessage } from '../../shared/api/wire';
import { createEngine } from '../engine';
import {
  contentSecurityPolicy,
  hostHeaderAllowed,
  isLoopbackHost,
  MAX_IMAGE_PIXELS,
  MAX_MESSAGE_BYTES,
  startServer,
  tokenCookieName,
  type RunningServer,
} from './serve-http';

const TOKEN = 'test-token-0123456789abcdef';

/** A WebSocket handshake on a raw socket, so a test can send frames ws would never write. */
async function rawWebSocket(port: number, token: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(
    `GET /ws?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
      'Sec-WebSocket-Version: 13\r\n\r\n',
  );
  const head = await new Promise<string>((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
  });
  expect(head).toMatch(/^HTTP\/1\.1 101/);
  return socket;
}

/** Everything the server sends until it closes the socket. */
function readUntilClosed(socket: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks))));
}

/** The close code of the first close frame (opcode 8) in what the server sent. */
function closeCode(bytes: Buffer): number | null {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = bytes[at]! & 0x0f;
    let length = bytes[at + 1]! & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      start += 2;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      start += 8;
    }
    if (opcode === 8) return length >= 2 ? bytes.readUInt16BE(start) : null;
    at = start + length;
  }
  return null;
}

/** A GET with any headers (fetch() refuses to set Host and Sec-Fetch-*). */
function get(
  port: number,
  pathname: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

async function openClient(port: number): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${TOKEN}`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

/** Sends app.info and resolves with the reply: proof that the connection and server live. */
function appInfo(ws: WebSocket, id: number): Promise<WireMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const reply = decodeWire(new Uint8Array(data));
      if (reply.type === 'response' && reply.id === id) {
        ws.off('message', onMessage);
        resolve(reply);
      }
    };
    ws.on('message', onMessage);
    ws.send(encodeWire({ type: 'request', id, name: 'app.info', input: {} }));
  });
}

/** The engine as browser mode runs it, version 1.2.3, its resources in `resourcesDir`. */
function browserEngine(resourcesDir: string) {
  return createEngine({
    mode: 'browser',
    appVersion: '1.2.3',
    electronVersion: null,
    resourcesDir,
  });
}

describe('browser-mode server', () => {
  let server: RunningServer;
  let base: string;
  const logged: string[] = [];

  beforeAll(async () => {
    const top = await mkdtemp(path.join(os.tmpdir(), 'vessel-serve-'));
    const dir = path.join(top, 'renderer');
    await mkdir(path.join(dir, 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>t</title>');
    await writeFile(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(top, 'secret.txt'), 'outside');
    const engine = browserEngine(dir);
    server = await startServer({
      engine,
      rendererDir: dir,
      port: 0,
      token: TOKEN,
      log: (line) => logged.push(line),
    });
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

  it('closes only the connection that sends a malformed frame, and keeps serving the others', async () => {
    const bystander = await openClient(server.port);
    const badFrames = {
      // FIN + reserved opcode 3, masked, 0 bytes of payload, then a mask key.
      'reserved opcode': Buffer.from([0x83, 0x80, 0x01, 0x02, 0x03, 0x04]),
      // A binary frame whose 64-bit length declares 2^40 bytes.
      '2^40-byte length': Buffer.from([0x82, 0xff, 0, 0, 0x01, 0, 0, 0, 0, 0, 1, 2, 3, 4]),
    };
    for (const [name, frame] of Object.entries(badFrames)) {
      const raw = await rawWebSocket(server.port, TOKEN);
      const received = readUntilClosed(raw);
      raw.write(frame);
      const code = closeCode(await received);
      expect(code, name).toBe(name === 'reserved opcode' ? 1002 : 1009);
    }
    expect(logged.filter((l) => l.startsWith('closed a WebSocket connection'))).toHaveLength(2);
    expect(await appInfo(bystander, 10)).toMatchObject({ result: { ok: true } });
    const newcomer = await openClient(server.port);
    expect(await appInfo(newcomer, 11)).toMatchObject({ result: { ok: true } });
    bystander.close();
    newcomer.close();
  });

  it('sizes the message limit to a mask of the largest image and refuses frames beyond it', async () => {
    expect(MAX_MESSAGE_BYTES).toBeGreaterThanOrEqual(MAX_IMAGE_PIXELS);
    expect(MAX_MESSAGE_BYTES).toBeLessThan(MAX_IMAGE_PIXELS + 2 * 1024 * 1024);
    // The default limit, by behaviour: a frame that declares one byte more is refused from
    // its header (1009), before the server buffers anything.
    const raw = await rawWebSocket(server.port, TOKEN);
    const received = readUntilClosed(raw);
    const header = Buffer.alloc(14);
    header[0] = 0x82;
    header[1] = 0xff;
    header.writeBigUInt64BE(BigInt(MAX_MESSAGE_BYTES + 1), 2);
    raw.write(header);
    expect(closeCode(await received)).toBe(1009);
  });

  it('accepts a message at its limit and closes the connection that sends one byte more', async () => {
    const top = await mkdtemp(path.join(os.tmpdir(), 'vessel-serve-limit-'));
    await writeFile(path.join(top, 'index.html'), '<!doctype html>');
    const engine = browserEngine(top);
    const request = encodeWire({ type: 'request', id: 1, name: 'app.info', input: {} });
    const small = await startServer({
      engine,
      rendererDir: top,
      port: 0,
      token: TOKEN,
      maxMessageBytes: request.byteLength,
    });
    try {
      const ws = await openClient(small.port);
      expect(await appInfo(ws, 1)).toMatchObject({ result: { ok: true } });
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      ws.send(encodeWire({ type: 'request', id: 22, name: 'app.info', input: {} }));
      expect(await closed).toBe(1009);
    } finally {
      await small.close();
    }
  });

  it('refuses a request whose JSON part is over the JSON limit without parsing it', async () => {
    const ws = await openClient(server.port);
    const frame = Buffer.alloc(8);
    frame.writeUInt32LE(2 * 1024 * 1024, 0);
    const reply = new Promise<WireMessage>((resolve) =>
      ws.once('message', (data: Buffer) => resolve(decodeWire(new Uint8Array(data)))),
    );
    ws.send(frame);
    const error = await reply;
    expect(error).toMatchObject({ type: 'error', error: { code: 'TRANSPORT' } });
    expect((error as Extract<WireMessage, { type: 'error' }>).error.message).toMatch(
      /JSON part is 2097152 bytes/,
    );
    ws.close();
  });

  it('names its cookie after its port and answers only to its own Host', async () => {
    const first = await fetch(server.url);
    expect(first.headers.get('set-cookie') ?? '').toMatch(
      new RegExp(`^${tokenCookieName(server.port)}=${TOKEN};`),
    );
    expect(tokenCookieName(4000)).not.toBe(tokenCookieName(4001));
    // Another instance's cookie (another port) opens nothing here.
    const foreign = await fetch(`${base}/`, {
      headers: { cookie: `${tokenCookieName(server.port + 1)}=${TOKEN}` },
    });
    expect(foreign.status).toBe(403);
    const rebound = await get(server.port, `/?token=${TOKEN}`, {
      host: `evil.example:${server.port}`,
    });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain(`Host 127.0.0.1:${server.port}`);
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`, {
      headers: { host: `evil.example:${server.port}` },
    });
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(403);
    expect(hostHeaderAllowed(`127.0.0.1:${server.port}`, '127.0.0.1', server.port)).toBe(true);
    expect(hostHeaderAllowed(`localhost:${server.port}`, '127.0.0.1', server.port)).toBe(true);
    expect(hostHeaderAllowed(`127.0.0.1:${server.port + 1}`, '127.0.0.1', server.port)).toBe(false);
    expect(hostHeaderAllowed('127.0.0.1', '127.0.0.1', server.port)).toBe(false);
    expect(hostHeaderAllowed(undefined, '127.0.0.1', server.port)).toBe(false);
    expect(hostHeaderAllowed('[::1]:4000', '::1', 4000)).toBe(true);
    expect(hostHeaderAllowed('192.168.1.4:4000', '0.0.0.0', 4000)).toBe(true);
    expect(hostHeaderAllowed('files.example:4000', '0.0.0.0', 4000)).toBe(false);
  });

  it('redirects a page load to the same path without the token once the cookie is set', async () => {
    // fetch() cannot send Sec-Fetch-Mode: navigate (a forbidden header), so plain http.get.
    const navigate = { 'sec-fetch-mode': 'navigate', accept: 'text/html' };
    const res = await get(server.port, `/?view=grid&token=${TOKEN}`, navigate);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/?view=grid');
    const cookie = (res.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
    expect(cookie).toBe(`${tokenCookieName(server.port)}=${TOKEN}`);
    const page = await get(server.port, '/?view=grid', { ...navigate, cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>t</title>');
    // The renderer's socket, without the token in the page URL, is authorised by the cookie.
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers: { cookie } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
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
