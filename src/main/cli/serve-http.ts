/**
 * Browser mode: the engine behind an HTTP server that serves the built renderer and the
 * contract over a WebSocket. Bound to 127.0.0.1 by default; every request needs the random
 * token printed in the URL (as Jupyter does): the first page load trades it for a cookie.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeWire, encodeWire, type WireMessage } from '../../shared/api/wire';
import { COMMON_ERROR_CODES } from '../../shared/result';
import type { Engine } from '../engine';

export interface ServeOptions {
  engine: Engine;
  /** Folder of the built renderer (index.html and assets). */
  rendererDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'vessel_token';
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** True for loopback hosts, the only ones that need no explicit opt-in. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function tokensEqual(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return null;
}

/** The Content-Security-Policy of browser mode: our own scripts, our own WebSocket, nothing remote. */
export function contentSecurityPolicy(host: string, port: number): string {
  const origin = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ws://${origin}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const rendererDir = path.resolve(options.rendererDir);
  const log = options.log ?? (() => {});
  let port = options.port ?? 0;

  const authorised = (req: http.IncomingMessage, url: URL): boolean =>
    tokensEqual(url.searchParams.get('token'), token) ||
    tokensEqual(cookieToken(req.headers.cookie), token);

  const securityHeaders = () => ({
    'Content-Security-Policy': contentSecurityPolicy(host, port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, securityHeaders()).end('Method not allowed');
      return;
    }
    if (!authorised(req, url)) {
      res.writeHead(403, { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Forbidden: open the URL with the token that `serve` printed.');
      return;
    }
    const headers: Record<string, string> = securityHeaders();
    if (tokensEqual(url.searchParams.get('token'), token)) {
      headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    } catch {
      res.writeHead(400, headers).end('Bad request: malformed path');
      return;
    }
    const file = path.resolve(rendererDir, `.${relative}`);
    if (!file.startsWith(rendererDir + path.sep)) {
      res.writeHead(404, headers).end('Not found');
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      headers['Content-Type'] = MIME[path.extname(file)] ?? 'application/octet-stream';
      headers['Content-Length'] = String(info.size);
      res.writeHead(200, headers);
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res
        .writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Not found');
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const origin = req.headers.origin;
    const expectedOrigins = new Set([`http://${req.headers.host}`]);
    const originOk = origin === undefined || expectedOrigins.has(origin);
    if (url.pathname !== '/ws' || !authorised(req, url) || !originOk) {
      log(
        `refused a WebSocket connection from ${req.socket.remoteAddress ?? '?'} (${!originOk ? 'foreign origin' : 'no valid token'})`,
      );
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const send = (ws: WebSocket, message: WireMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeWire(message));
  };

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', async (data, isBinary) => {
      let message: WireMessage;
      try {
        if (!isBinary) throw new Error('text frames are not part of the protocol');
        const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        message = decodeWire(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
      } catch (error) {
        send(ws, {
          type: 'error',
          error: {
            code: COMMON_ERROR_CODES.TRANSPORT,
            message: `Malformed message: ${(error as Error).message}`,
          },
        });
        return;
      }
      if (message.type !== 'request' || typeof message.id !== 'number') {
        send(ws, {
          type: 'error',
          error: {
            code: COMMON_ERROR_CODES.TRANSPORT,
            message: 'Only requests may be sent to the engine.',
          },
        });
        return;
      }
      const result = await options.engine.request(message.name, message.input);
      send(ws, { type: 'response', id: message.id, result });
    });
  });

  const unsubscribe = options.engine.events.onAny((name, payload) => {
    for (const ws of sockets) send(ws, { type: 'event', name, payload });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    host,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
