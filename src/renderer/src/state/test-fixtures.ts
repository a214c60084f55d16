/** Scenes and images for the state tests: no DOM, the fundus bitmap is a stand-in. */
import type { StudioImageSummary, StudioSessionInfo } from '../../../shared/api/studio';
import { MaskDocument } from '../canvas/mask-document';
import type { LoadedImage } from './scene';

/** An image of `width`×`height` with an empty mask; `probabilities` makes it predicted. */
export function fakeImage(
  id: string,
  width = 4,
  height = 3,
  probabilities: Uint8Array | null = null,
): LoadedImage {
  const size = width * height;
  return {
    id,
    width,
    height,
    fundus: { close() {} } as unknown as ImageBitmap,
    first: new Uint8Array(size).fill(1),
    second: new Uint8Array(size),
    fov: new Uint8Array(size).fill(1),
    probabilities,
    predictionNote: probabilities ? null : 'No model yet',
    modelName: probabilities ? 'tiny' : null,
    predictionScale: null,
    doc: new MaskDocument(width, height),
  };
}

/** A list entry; `rank` is its place in the correct-next order. */
export function summary(id: string, rank: number, corrected = false): StudioImageSummary {
  return {
    id,
    split: 'training',
    name: id,
    width: 4,
    height: 3,
    observers: ['1st'],
    corrected,
    latestRevisionId: null,
    f1: null,
    auc: null,
    uncertainty: null,
    disagreement: null,
    correctNextRank: rank,
    uncertaintyScore: null,
  };
}

/** A session as the engine reports one. */
export const SESSION: StudioSessionInfo = {
  datasetRoot: '/data/DRIVE',
  layout: 'drive',
  projectFile: '/data/DRIVE.vessel',
  projectCreated: false,
  imageCount: 3,
  problems: [],
  model: null,
  modelMissingReason: 'No model yet',
};

/** The fields of a keydown the shortcut matchers read: `k` with the given modifiers held. */
export const keyEvent = (
  k: string,
  mods: Partial<Record<'ctrl' | 'meta' | 'shift' | 'alt', boolean>> = {},
) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  metaKey: mods.meta ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
});
