/** What `inspect` reports: per split the image count, sizes, label sets, FOV and vessel pixel counts. */
import { loadFov, loadLabel } from './decode';
import { describeFovDerivation } from './fov';
import type {
  DatasetIndex,
  DatasetProblem,
  ImageEntry,
  LayoutName,
  Observer,
  SplitName,
} from './types';

export interface SplitSummary {
  split: SplitName;
  images: number;
  /** Distinct image sizes, e.g. ["565x584"]. */
  sizes: string[];
  /** Observers with a label for every image of the split, and those with labels for some. */
  labelSets: { observer: Observer; images: number }[];
  /** Images whose FOV was derived from the image (no mask shipped or usable). */
  derivedFov: number;
  /** How the FOV was had: "shipped masks", "derived: <method, parameters>", or both with counts. */
  fovSource: string;
  fovPixels: number;
  /** Vessel pixels inside the FOV, per observer. */
  vesselPixelsInFov: Partial<Record<Observer, number>>;
  /** FOV pixels of the images that have each observer's label (the base of its vessel share). */
  fovPixelsLabelled: Partial<Record<Observer, number>>;
}

export interface DatasetSummary {
  root: string;
  layout: LayoutName;
  splits: SplitSummary[];
  problems: DatasetProblem[];
}

async function summariseSplit(split: SplitName, entries: ImageEntry[]): Promise<SplitSummary> {
  const sizes = [...new Set(entries.map((e) => `${e.width}x${e.height}`))];
  const labelSets: SplitSummary['labelSets'] = [];
  for (const observer of ['1st', '2nd'] as const) {
    const count = entries.filter((e) => e.labelPaths[observer] !== undefined).length;
    if (count > 0) labelSets.push({ observer, images: count });
  }
  let fovPixels = 0;
  const vessel: Partial<Record<Observer, number>> = {};
  const labelled: Partial<Record<Observer, number>> = {};
  for (const entry of entries) {
    const fov = await loadFov(entry);
    let inFov = 0;
    for (let i = 0; i < fov.length; i++) inFov += fov[i]!;
    fovPixels += inFov;
    for (const { observer } of labelSets) {
      if (entry.labelPaths[observer] === undefined) continue;
      labelled[observer] = (labelled[observer] ?? 0) + inFov;
      const label = await loadLabel(entry, observer);
      let count = 0;
      for (let i = 0; i < label.length; i++) count += label[i]! & fov[i]!;
      vessel[observer] = (vessel[observer] ?? 0) + count;
    }
  }
  const derived = entries.filter((e) => e.fovDerived).length;
  return {
    split,
    images: entries.length,
    sizes,
    labelSets,
    derivedFov: derived,
    fovSource:
      derived === 0
        ? 'shipped masks'
        : derived === entries.length
          ? `derived: ${describeFovDerivation()}`
          : `shipped masks for ${entries.length - derived}, derived for ${derived}: ${describeFovDerivation()}`,
    fovPixels,
    vesselPixelsInFov: vessel,
    fovPixelsLabelled: labelled,
  };
}

/** Counts what an opened dataset holds (decodes every label and FOV once). */
export async function summariseDataset(index: DatasetIndex): Promise<DatasetSummary> {
  const splits: SplitSummary[] = [];
  for (const split of ['training', 'test', 'all'] as const) {
    const entries = index.splits[split];
    if (entries !== undefined) splits.push(await summariseSplit(split, entries));
  }
  return { root: index.root, layout: index.layout, splits, problems: index.problems };
}
