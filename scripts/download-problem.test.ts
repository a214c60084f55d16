import { describe, expect, it } from 'vitest';
import { downloadProblem } from './download-problem.mjs';

const failed = (stderr: string) => ({ status: 1, signal: null, stderr: Buffer.from(stderr) });

describe("Electron's download problem", () => {
  it('turns a raw "fetch failed" into what is wrong and what to do', () => {
    const text = downloadProblem(
      failed('TypeError: fetch failed\n    at node:internal/deps/undici'),
    );
    expect(text).toBe(
      'no connection to github.com, where it is published; set ELECTRON_MIRROR to a reachable mirror for the desktop app',
    );
    expect(text).not.toMatch(/fetch failed/);
  });

  it('names a timeout and a refusal, and passes any other error line on', () => {
    expect(downloadProblem({ status: null, signal: 'SIGTERM', stderr: Buffer.from('') })).toMatch(
      /took over 2 minutes/,
    );
    expect(downloadProblem(failed('HTTPError: Response code 404 (Not Found)'))).toMatch(
      /refused it; set ELECTRON_MIRROR/,
    );
    expect(downloadProblem(failed('x\nError: EACCES: permission denied, mkdir /y\n'))).toBe(
      'Error: EACCES: permission denied, mkdir /y',
    );
    expect(downloadProblem(failed(''))).toBe('the installer failed without saying why');
  });
});
