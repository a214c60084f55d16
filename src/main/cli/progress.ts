/** Progress on stderr: a redrawn bar on a terminal, throttled plain lines otherwise. */

export interface ProgressReporter {
  /** Reports `done` of `total` units, with an optional short detail such as `loss 0.213`. */
  update(done: number, total: number, detail?: string): void;
  /** Ends the bar (or prints the last line). */
  finish(detail?: string): void;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(r).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function createProgress(
  label: string,
  stream: ProgressStream,
  now: () => number = () => Date.now(),
  plainIntervalMs = 2000,
): ProgressReporter {
  const started = now();
  let lastPlain = -Infinity;
  const tty = stream.isTTY === true;

  const line = (done: number, total: number, detail?: string) => {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const elapsed = (now() - started) / 1000;
    const eta = fraction > 0 ? (elapsed * (1 - fraction)) / fraction : NaN;
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    const tail = `${done}/${total} ${pct} ETA ${formatDuration(eta)}${detail ? `  ${detail}` : ''}`;
    if (!tty) return `${label}: ${tail}`;
    const width = Math.max(
      10,
      Math.min(30, (stream.columns ?? 80) - label.length - tail.length - 6),
    );
    const filled = Math.round(fraction * width);
    return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${tail}`;
  };

  return {
    update(done, total, detail) {
      const text = line(done, total, detail);
      if (tty) {
        stream.write(`\r\x1b[2K${text}`);
      } else if (now() - lastPlain >= plainIntervalMs || done >= total) {
        lastPlain = now();
        stream.write(`${text}\n`);
      }
    },
    finish(detail) {
      const elapsed = formatDuration((now() - started) / 1000);
      const text = `${label}: done in ${elapsed}${detail ? `  ${detail}` : ''}`;
      stream.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
    },
  };
}
