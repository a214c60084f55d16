import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine';
import { SERVE_PORT_IN_USE, startServer } from './serve-http';

describe('serve on a busy port', () => {
  let busy: net.Server;
  let port: number;
  let engine: Engine;
  let rendererDir: string;

  beforeAll(async () => {
    busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as net.AddressInfo).port;
    rendererDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'vessel-port-')), 'renderer');
    await mkdir(rendererDir, { recursive: true });
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>');
    engine = createEngine({
      mode: 'browser',
      appVersion: '1.2.3',
      electronVersion: null,
      resourcesDir: rendererDir,
    });
  });

  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    await engine.dispose();
  });

  it('refuses a port the user named, in one line that says what to do', async () => {
    await expect(startServer({ engine, rendererDir, port })).rejects.toMatchObject({
      code: SERVE_PORT_IN_USE,
      message: `port ${port} is in use; choose another with --port or stop the other server`,
    });
  });

  it('moves the default port to the next free one and says so', async () => {
    const logged: string[] = [];
    const server = await startServer({
      engine,
      rendererDir,
      port,
      nextPortTries: 20,
      log: (line) => logged.push(line),
    });
    try {
      expect(server.port).toBeGreaterThan(port);
      expect(server.url).toContain(`:${server.port}/`);
      expect(logged).toContain(`port ${port} is in use; serving on port ${server.port} instead`);
    } finally {
      await server.close();
    }
  });
});
