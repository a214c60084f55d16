// Electron's download failure as one line a person can act on (used by start.mjs).

/** What went wrong with Electron's download, in words: the installer's own errors are terse. */
export function downloadProblem(download) {
  if (download.error?.code === 'ETIMEDOUT' || download.signal === 'SIGTERM')
    return 'it took over 2 minutes; check the connection to github.com';
  const text = download.stderr?.toString() ?? '';
  if (/fetch failed|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH/.test(text))
    return 'no connection to github.com, where it is published; set ELECTRON_MIRROR to a reachable mirror for the desktop app';
  if (/\b(403|404)\b/.test(text))
    return 'the download server refused it; set ELECTRON_MIRROR to a reachable mirror for the desktop app';
  const line = text
    .split('\n')
    .find((l) => /Error/.test(l))
    ?.trim();
  return line ? line.slice(0, 160) : 'the installer failed without saying why';
}
