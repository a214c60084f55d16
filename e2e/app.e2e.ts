import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser,
  saveScreenshot,
  startServe,
  type BrowserSession,
  type ServeProcess,
} from './harness';

/** Tries a WebSocket upgrade and resolves to the HTTP status it got (101 when accepted). */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', (error) => reject(error));
  });
}

describe('browser mode', () => {
  let serve: ServeProcess;
  let browser: BrowserSession;

  beforeAll(async () => {
    serve = await startServe();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('loads the studio and shows the compute backend from app.info', async () => {
    const { page } = browser;
    await page.goto(serve.url);
    await expect
      .poll(async () => page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
      .toBe('Engine connected');
    const backend = page.getByTestId('backend');
    await expect
      .poll(async () => backend.textContent(), { timeout: 30_000 })
      .toMatch(/Backend: (wasm|cpu|tensorflow|webgpu · \S)/);
    await expect
      .poll(async () => page.getByTestId('version').textContent())
      .toMatch(/Vessel Studio \d+\.\d+\.\d+ · browser mode/);
    await saveScreenshot(page, 'app-shell');
    expect(browser.consoleErrors).toEqual([]);
  });

  it('refuses pages and WebSocket connections without the token', async () => {
    // Plain requests without the token or its cookie (the browser above holds the cookie).
    expect((await fetch(`${serve.origin}/`)).status).toBe(403);
    expect((await fetch(`${serve.origin}/?token=wrong`)).status).toBe(403);
    expect((await fetch(`${serve.origin}/index.html`)).status).toBe(403);
    expect((await fetch(serve.url)).status).toBe(200);

    const wsBase = serve.origin.replace('http', 'ws');
    expect(await upgradeStatus(`${wsBase}/ws`)).toBe(403);
    expect(await upgradeStatus(`${wsBase}/ws?token=wrong-token-wrong-token`)).toBe(403);
    // A foreign page that somehow had the token is still refused by its Origin.
    expect(
      await upgradeStatus(`${wsBase}/ws?token=${serve.token}`, { Origin: 'http://evil.example' }),
    ).toBe(403);
    expect(await upgradeStatus(`${wsBase}/ws?token=${serve.token}`)).toBe(101);
  });
});
