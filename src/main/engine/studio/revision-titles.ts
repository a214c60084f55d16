/**
 * Names for mask revisions, from what they did to the mask: each revision is compared with the
 * mask that was current before it (the image's previous revision, else its 1st observer label),
 * so the history reads "Painted vessel, 312 px" or "Erased 40 px" instead of a number.
 */
import type { StudioRevision } from '../../../shared/api/studio';
import { loadLabel, type ImageEntry } from '../dataset';
import type { MaskRevision, Project } from '../project';

/** What one revision changed, measured on its pixels. */
export interface RevisionChange {
  /** Pixels that became vessel. */
  painted: number;
  /** Pixels that stopped being vessel. */
  erased: number;
  /** The mask equals the 1st observer label again. */
  matchesLabel: boolean;
  /** The revision a restore copied, or null when it is not a restore. */
  restoredFrom: number | null;
}

/** Pixels set in `after` but not `before` (painted) and the other way round (erased). */
export function maskChange(
  before: Uint8Array,
  after: Uint8Array,
): { painted: number; erased: number } {
  let painted = 0;
  let erased = 0;
  const n = Math.min(before.length, after.length);
  for (let i = 0; i < n; i++) {
    const a = before[i] !== 0;
    const b = after[i] !== 0;
    if (b && !a) painted++;
    else if (a && !b) erased++;
  }
  return { painted, erased };
}

const count = new Intl.NumberFormat('en-US');

function pixels(n: number): string {
  return `${count.format(n)} px`;
}

/** The name of a revision, from what it changed. */
export function revisionTitle(change: RevisionChange): string {
  const { painted, erased, matchesLabel, restoredFrom } = change;
  const changed = painted + erased;
  if (restoredFrom !== null) {
    return changed > 0
      ? `Restored revision ${restoredFrom}, ${pixels(changed)} changed`
      : `Restored revision ${restoredFrom}`;
  }
  if (changed === 0) return 'No change';
  if (matchesLabel) return `Cleared corrections, ${pixels(changed)}`;
  if (erased === 0) return `Painted vessel, ${pixels(painted)}`;
  if (painted === 0) return `Erased ${pixels(erased)}`;
  return `Painted ${pixels(painted)}, erased ${pixels(erased)}`;
}

/** Titles by revision id, per open project (revisions never change, so a title stays right). */
const titleCache = new WeakMap<Project, Map<number, string>>();

function sameMask(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if ((a[i] !== 0) !== (b[i] !== 0)) return false;
  return true;
}

/** Titles of every revision of one image, computing those not yet known. */
async function titlesOf(project: Project, entry: ImageEntry): Promise<Map<number, string>> {
  let cache = titleCache.get(project);
  if (!cache) {
    cache = new Map();
    titleCache.set(project, cache);
  }
  const all = await project.listMaskRevisions(entry.id);
  if (all.every((r) => cache.has(r.id))) return cache;
  const label = await loadLabel(entry, '1st');
  const masks = new Map<number, Uint8Array | null>();
  const maskOf = async (r: MaskRevision): Promise<Uint8Array | null> => {
    if (!masks.has(r.id)) {
      // A damaged revision is named as such here; reading it elsewhere reports the damage.
      const mask = await project.loadMaskRevision(r.id).then(
        (loaded) => loaded.mask.data,
        () => null,
      );
      masks.set(r.id, mask);
    }
    return masks.get(r.id)!;
  };
  for (let k = 0; k < all.length; k++) {
    const revision = all[k]!;
    if (cache.has(revision.id)) continue;
    const previous = k > 0 ? all[k - 1]! : null;
    const after = await maskOf(revision);
    const before = previous ? await maskOf(previous) : label;
    if (!after || !before) {
      cache.set(revision.id, `Revision ${revision.id} (its mask cannot be read)`);
      continue;
    }
    // A restore appends a byte-for-byte copy of an older revision as its child.
    const parent = all.find((r) => r.id === revision.parentId);
    const restoredFrom =
      parent && parent.id !== previous?.id && parent.sha256 === revision.sha256 ? parent.id : null;
    cache.set(
      revision.id,
      revisionTitle({
        ...maskChange(before, after),
        matchesLabel: sameMask(after, label),
        restoredFrom,
      }),
    );
  }
  return cache;
}

/** The revisions of one image with their titles. */
export async function titleRevisions<R extends StudioRevision>(
  project: Project,
  entry: ImageEntry,
  revisions: R[],
): Promise<R[]> {
  const titles = await titlesOf(project, entry);
  return revisions.map((r) => ({ ...r, title: titles.get(r.id) ?? r.title }));
}
