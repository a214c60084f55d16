/**
 * Browser mode: the engine behind an HTTP server that serves the built renderer and the
 * contract over a WebSocket. Bound to 127.0.0.1 by default; every request needs the random
 * token printed in the URL (as Jupyter does): the first page load trades it for a cookie.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeWire, encodeWire, type WireMessage } from '../../shared/api/wire';
import { AppError, COMMON_ERROR_CODES } from '../../shared/result';

/** The port asked for (and any tried after it) is taken by another program. */
export const SERVE_PORT_IN_USE = 'SERVE_PORT_IN_USE';
import type { Engine } from '../engine';
import { imageLimits, MAX_IMAGE_PIXELS as DATASET_MAX_IMAGE_PIXELS } from '../engine/dataset';

export interface ServeOptions {
  engine: Engine;
  /** Folder of the built renderer (index.html and assets). */
  rendererDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /**
   * When `port` is busy, how many of the ports after it to try (default 0: fail with
   * SERVE_PORT_IN_USE). For the default port only; a port the user chose is kept or refused.
   */
  nextPortTries?: number;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  log?: (line: string) => void;
  /** Largest WebSocket message accepted (tests); MAX_MESSAGE_BYTES otherwise. */
  maxMessageBytes?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  host: string;
  token: string;
  close(): Promise<void>;
}

/**
 * The largest image the studio opens, in pixels: the dataset reader's limit (engine/dataset,
 * 8192 x 8192 unless VESSEL_MAX_IMAGE_PIXELS says otherwise), read when the server starts.
 */
export const MAX_IMAGE_PIXELS = ((): number => {
  try {
    return imageLimits().maxPixels;
  } catch {
    // A malformed override is reported where a dataset is opened; serve starts with the default.
    return DATASET_MAX_IMAGE_PIXELS;
  }
})();
/**
 * Wire bytes per pixel of the largest request, studio.saveMask: the mask as the PNG the
 * renderer's canvas encodes (8-bit RGBA, 0 or 255). Deflate packs a 0/255 mask far below one
 * byte per pixel: a random-noise mask, the hardest to compress, takes 0.2 to 0.47 (zlib levels
 * 1 to 9, filters none and sub); drawn vessel masks take under 0.05.
 */
const MASK_PNG_BYTES_PER_PIXEL = 1;
/** Room for a request's JSON (ids, paths, settings, a note): each is a few KiB at most. */
export const MAX_REQUEST_JSON_BYTES = 1024 * 1024;
/**
 * The largest WebSocket message a client may send: the mask of the largest supported image
 * and its request. ws refuses a frame that declares more from its header (close code 1009),
 * before buffering it: a message costs about twice its size in memory while it is decoded.
 */
export const MAX_MESSAGE_BYTES =
  MAX_IMAGE_PIXELS * MASK_PNG_BYTES_PER_PIXEL + MAX_REQUEST_JSON_BYTES;

/**
 * The token cookie's name for a server on `port`. Cookies ignore ports, so one name for all
 * would let two serve instances on one host overwrite each other's cookie.
 */
export function tokenCookieName(port: number): string {
  return `vessel_token_${port}`;
}
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

function cookieToken(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return null;
}

function isUnspecifiedHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/**
 * Whether a request's Host header names this server: the bound address and port, `localhost`
 * when bound to loopback, any IP literal when bound to all interfaces. Any other name is refused,
 * so a page whose DNS name was rebound to 127.0.0.1 cannot reach the server (DNS rebinding).
 */
export function hostHeaderAllowed(header: string | undefined, boundHost: string, port: number) {
  if (!header) return false;
  let url: URL;
  try {
    url = new URL(`http://${header}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== '/' || url.search) return false;
  if ((url.port === '' ? 80 : Number(url.port)) !== port) return false;
  const name = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (name === boundHost) return true;
  if (name === 'localhost') return isLoopbackHost(boundHost) || isUnspecifiedHost(boundHost);
  return isUnspecifiedHost(boundHost) && isIP(name) !== 0;
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

/** True for a browser loading a page (not a script's fetch): the request that may be redirected. */
function isNavigation(req: http.IncomingMessage): boolean {
  const mode = req.headers['sec-fetch-mode'];
  if (mode !== undefined) return mode === 'navigate';
  return (req.headers.accept ?? '').includes('text/html');
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const rendererDir = path.resolve(options.rendererDir);
  const log = options.log ?? (() => {});
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  let port = options.port ?? 0;
  const shownHost = host.includes(':') ? `[${host}]` : host;

  const authorised = (req: http.IncomingMessage, url: URL): boolean =>
    tokensEqual(url.searchParams.get('token'), token) ||
    tokensEqual(cookieToken(req.headers.cookie, tokenCookieName(port)), token);
  const wrongHostMessage = () =>
    `Forbidden: this server answers only to Host ${shownHost}:${port}; open the URL that \`serve\` printed.`;

  const securityHeaders = () => ({
    'Content-Security-Policy': contentSecurityPolicy(host, port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });

  const server = http.createServer(async (req, res) => {
    if (!hostHeaderAllowed(req.headers.host, host, port)) {
      res.writeHead(403, { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(wrongHostMessage());
      return;
    }
    const url = new URL(req.url ?? '/', `http://${shownHost}:${port}`);
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
      headers['Set-Cookie'] =
        `${tokenCookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
      if (isNavigation(req)) {
        // The cookie now carries the token: load the page without it, so it stays out of
        // the address bar and the history. The renderer's socket then authorises by cookie.
        url.searchParams.delete('token');
        headers.Location = `${url.pathname}${url.search}`;
        res.writeHead(303, headers).end();
        return;
      }
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

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${shownHost}:${port}`);
    const hostOk = hostHeaderAllowed(req.headers.host, host, port);
    const origin = req.headers.origin;
    const expectedOrigins = new Set([`http://${req.headers.host}`]);
    const originOk = origin === undefined || expectedOrigins.has(origin);
    if (!hostOk || url.pathname !== '/ws' || !authorised(req, url) || !originOk) {
      const why = !hostOk ? 'foreign Host header' : !originOk ? 'foreign origin' : 'no valid token';
      log(`refused a WebSocket connection from ${req.socket.remoteAddress ?? '?'} (${why})`);
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
    // A malformed or oversized frame: ws has already sent the close frame (1002, 1009...);
    // without this handler the error would be thrown and end the server for every client.
    ws.on('error', (error: Error & { code?: string }) => {
      const why =
        error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
          ? `a message larger than the ${maxMessageBytes} bytes serve accepts`
          : error.message;
      log(`closed a WebSocket connection: ${why}`);
    });
    ws.on('message', async (data, isBinary) => {
      let message: WireMessage;
      try {
        if (!isBinary) throw new Error('text frames are not part of the protocol');
        // ws hands over a Buffer (or fragments): no copy, the message may be ~100 MB.
        const buffer = Buffer.isBuffer(data)
          ? data
          : Array.isArray(data)
            ? Buffer.concat(data)
            : Buffer.from(data);
        const jsonBytes = buffer.byteLength >= 4 ? buffer.readUInt32LE(0) : 0;
        if (jsonBytes > MAX_REQUEST_JSON_BYTES)
          throw new Error(
            `its JSON part is ${jsonBytes} bytes, more than the ${MAX_REQUEST_JSON_BYTES} a request may have; send pixels as typed arrays`,
          );
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

  const listen = (at: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const wanted = port;
  const tries = port === 0 ? 0 : Math.max(0, options.nextPortTries ?? 0);
  for (let attempt = 0; ; attempt++) {
    try {
      await listen(port);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      if (attempt >= tries || port >= 65535) {
        unsubscribe();
        wss.close();
        throw new AppError(
          SERVE_PORT_IN_USE,
          tries === 0
            ? `port ${wanted} is in use; choose another with --port or stop the other server`
            : `ports ${wanted} to ${port} are in use; choose another with --port or stop the other servers`,
        );
      }
      port += 1;
    }
  }
  if (port !== wanted) log(`port ${wanted} is in use; serving on port ${port} instead`);
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    host,
    token,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A browser's keep-alive connections would otherwise hold close() open until they idle out.
      server.closeAllConnections();
      await closed;
    },
  };
}
