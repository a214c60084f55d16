/**
 * Paths as the panels show them. The renderer has no node `path`, and the engine may run on
 * Windows, so both separators are understood.
 */
import { LAYOUT_LABELS, type DatasetLayoutName } from '../../../shared/api/files';

/** `/home/me/data` shown as `~/data` when `home` is `/home/me`. */
export function withTilde(full: string, home: string | null): string {
  if (!home) return full;
  if (full === home) return '~';
  for (const sep of ['/', '\\']) {
    if (full.startsWith(home + sep)) return `~${sep}${full.slice(home.length + 1)}`;
  }
  return full;
}

/** The folder that holds `full` (the path itself at a root). */
export function parentOf(full: string): string {
  const trimmed = full.replace(/[\\/]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (cut < 0) return full;
  return cut === 0 ? trimmed.slice(0, 1) : trimmed.slice(0, cut);
}

/** The last part of a path. */
export function baseName(full: string): string {
  const trimmed = full.replace(/[\\/]+$/, '');
  return trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
}

/** `DRIVE · 40 images`: a dataset as the browser marks it. */
export function datasetBadge(dataset: { layout: string; images: number }): string {
  const label = LAYOUT_LABELS[dataset.layout as DatasetLayoutName] ?? dataset.layout;
  return `${label} · ${dataset.images} image${dataset.images === 1 ? '' : 's'}`;
}
