/**
 * The person's corrections: every mask saved in the studio is an append-only revision in the
 * project (nothing is ever written into the dataset folder), and an image's current mask is its
 * latest revision, else its 1st observer label.
 */
import type { StudioMask, StudioRevision } from '../../../shared/api/studio';
import { encodeMaskRuns } from '../../../shared/mask-runs';
import { AppError } from '../../../shared/result';
import { loadLabel, type ImageEntry } from '../dataset';
import { decodePngMask, type MaskRevision, type Project } from '../project';
import { STUDIO_ERROR_CODES } from './errors';
import type { ImageServing } from './image-serving';

/** A mask as 0/1 pixels, row-major. */
export interface MaskData {
  width: number;
  height: number;
  data: Uint8Array;
}

function toStudioRevision(r: MaskRevision): StudioRevision {
  return {
    id: r.id,
    imageId: r.imageKey,
    parentId: r.parentId,
    createdAt: r.createdAt,
    note: r.note,
    byteLength: r.byteLength,
  };
}

/** Reads and appends an image's mask revisions in the project. */
export class Corrections {
  constructor(
    private readonly project: Project,
    private readonly images: ImageServing,
  ) {}

  /** The current mask of an image as 0/1 pixels: its latest revision, else its 1st label. */
  async currentMaskData(id: string): Promise<MaskData> {
    const entry = this.images.entry(id);
    const latest = await this.latestRevision(id);
    return {
      width: entry.width,
      height: entry.height,
      data: await this.currentMask(entry, latest?.id ?? null),
    };
  }

  /** The pixels of revision `revisionId` of an image, or of its 1st label when that is null. */
  async currentMask(entry: ImageEntry, revisionId: number | null): Promise<Uint8Array> {
    if (revisionId === null) return loadLabel(entry, '1st');
    return (await this.project.loadMaskRevision(revisionId)).mask.data;
  }

  /** The current mask of an image as mask runs, saying whether it is a revision or the label. */
  async mask(id: string): Promise<StudioMask> {
    const entry = this.images.entry(id);
    const latest = await this.latestRevision(id);
    if (latest) {
      return {
        id,
        width: latest.width,
        height: latest.height,
        runs: encodeMaskRuns((await this.project.loadMaskRevision(latest.id)).mask.data),
        source: 'revision',
        revisionId: latest.id,
      };
    }
    const labels = await this.images.labels(id);
    return {
      id,
      width: entry.width,
      height: entry.height,
      runs: labels.firstObserver,
      source: 'label',
      revisionId: null,
    };
  }

  /** Appends a revision; the PNG is decoded and checked against the image size first. */
  async saveMask(
    id: string,
    png: Uint8Array,
    parentRevisionId: number | null,
    note: string,
  ): Promise<StudioRevision> {
    const entry = this.images.entry(id);
    let mask;
    try {
      mask = await decodePngMask(png);
    } catch (error) {
      throw new AppError(
        STUDIO_ERROR_CODES.MASK_SIZE,
        `The mask for ${id} is not a readable PNG (${String(error)}): nothing was saved; try again.`,
      );
    }
    if (mask.width !== entry.width || mask.height !== entry.height) {
      throw new AppError(
        STUDIO_ERROR_CODES.MASK_SIZE,
        `The mask for ${id} is ${mask.width}x${mask.height} but the image is ${entry.width}x${entry.height}: nothing was saved.`,
      );
    }
    const revision = await this.project.saveMaskRevision(
      id,
      { kind: 'binary', width: mask.width, height: mask.height, data: mask.data },
      { parentId: parentRevisionId, note },
    );
    return toStudioRevision(revision);
  }

  /** An image's revisions, newest first. */
  async revisions(id: string): Promise<StudioRevision[]> {
    this.images.entry(id);
    return (await this.project.listMaskRevisions(id)).map(toStudioRevision).reverse();
  }

  /** Appends a copy of one of the image's earlier revisions as its newest; returns it and the mask. */
  async restoreRevision(
    id: string,
    revisionId: number,
  ): Promise<{ revision: StudioRevision; mask: StudioMask }> {
    this.images.entry(id);
    const owned = (await this.project.listMaskRevisions(id)).some((r) => r.id === revisionId);
    if (!owned) {
      throw new AppError(
        'PROJECT_UNKNOWN_REVISION',
        `Revision ${revisionId} is not a revision of ${id}: pick one from its history.`,
      );
    }
    const revision = await this.project.restoreMaskRevision(revisionId);
    return { revision: toStudioRevision(revision), mask: await this.mask(id) };
  }

  private async latestRevision(id: string): Promise<MaskRevision | null> {
    const revisions = await this.project.listMaskRevisions(id);
    return revisions.at(-1) ?? null;
  }
}
