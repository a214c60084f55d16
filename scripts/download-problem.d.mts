/** What went wrong with Electron's download (a spawnSync result), in one line. */
export function downloadProblem(download: {
  status: number | null;
  signal: string | null;
  stderr?: Buffer | string | null;
  error?: { code?: string };
}): string;
