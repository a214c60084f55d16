/**
 * Mask revisions: every correction of an image's mask, appended and never changed, each with
 * its parent, so the history of an image is a tree and any earlier state can be made current
 * again. Masks are stored as the PNG given or as deflated run lengths (mask-codec.ts).
 */
import { AppError } from '../../../shared/result';
import type { ProjectDatabase } from './database';
import { sha256Hex } from './files';
import { imageIdOf, listImages } from './images';
import {
  decodeStoredMask,
  encodePngMask,
  encodeRleDeflate,
  pngSize,
  type BinaryMask,
  type MaskEncoding,
} from './mask-codec';
import { bytesOf, now, whereEquals } from './records';
import { asBlob, type SqliteDatabase } from './sqlite';
import {
  PROJECT_ERROR_CODES as CODES,
  type MaskInput,
  type MaskRevision,
  type TrainingMask,
} from './types';

/** A mask as it is stored: its encoding, bytes and size. */
interface StoredMask {
  encoding: MaskEncoding;
  bytes: Uint8Array;
  width: number;
  height: number;
}

/** The columns of a MaskRevision, under its field names, from REVISIONS_WITH_KEYS. */
const REVISION_COLUMNS = `r.id, i.key AS imageKey, r.parent_id AS parentId, r.created_at AS createdAt, r.note,
  r.encoding, r.width, r.height, length(r.bytes) AS byteLength, r.sha256`;
const REVISIONS_WITH_KEYS = 'mask_revisions r JOIN images i ON i.id = r.image_id';

/** PNG bytes as given, a 0/1 mask run-length encoded; refuses a mask without a proper size. */
function storedMaskOf(mask: MaskInput): StoredMask {
  if (mask.kind === 'png') return { encoding: 'png', bytes: mask.bytes, ...pngSize(mask.bytes) };
  const { width, height } = mask;
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new AppError(
      CODES.BAD_MASK,
      `A mask needs a positive whole width and height, got ${width}x${height}.`,
    );
  }
  return { encoding: 'rle-deflate', bytes: encodeRleDeflate(mask), width, height };
}

/**
 * Refuses `revisionId` unless it is a revision of the image (inside the caller's transaction);
 * used for a revision's parent and for the masks a model version was trained on.
 */
export async function checkRevisionOf(
  db: SqliteDatabase,
  revisionId: number,
  imageId: number,
  imageKey: string,
): Promise<void> {
  const row = await db.get('SELECT id FROM mask_revisions WHERE id = ? AND image_id = ?', [
    revisionId,
    imageId,
  ]);
  if (!row)
    throw new AppError(
      CODES.UNKNOWN_REVISION,
      `Revision ${revisionId} is not a revision of image ${imageKey}.`,
    );
}

/** Appends a correction; its parent is the image's latest revision unless given. */
export async function saveMaskRevision(
  database: ProjectDatabase,
  imageKey: string,
  mask: MaskInput,
  options: { note?: string; parentId?: number | null },
): Promise<MaskRevision> {
  const { encoding, bytes, width, height } = storedMaskOf(mask);
  const sha256 = sha256Hex(bytes);
  const note = options.note ?? '';
  return database.write(async (db) => {
    const imageId = await imageIdOf(db, imageKey);
    let parentId: number | null;
    if (options.parentId === undefined) {
      const head = await db.get<{ id: number }>(
        'SELECT max(id) AS id FROM mask_revisions WHERE image_id = ?',
        [imageId],
      );
      parentId = head?.id ?? null;
    } else {
      parentId = options.parentId;
      if (parentId !== null) await checkRevisionOf(db, parentId, imageId, imageKey);
    }
    const createdAt = now();
    const { lastId } = await db.run(
      `INSERT INTO mask_revisions (image_id, parent_id, created_at, note, encoding, width, height, bytes, sha256)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [imageId, parentId, createdAt, note, encoding, width, height, asBlob(bytes), sha256],
    );
    const byteLength = bytes.byteLength;
    return {
      id: lastId,
      imageKey,
      parentId,
      createdAt,
      note,
      encoding,
      width,
      height,
      byteLength,
      sha256,
    };
  });
}

/** Revisions of one image (or of all images), oldest first. */
export async function listMaskRevisions(
  database: ProjectDatabase,
  imageKey?: string,
): Promise<MaskRevision[]> {
  const { where, params } = whereEquals('i.key', imageKey);
  return database.read((db) =>
    db.all<MaskRevision>(
      `SELECT ${REVISION_COLUMNS} FROM ${REVISIONS_WITH_KEYS} ${where} ORDER BY r.id`,
      params,
    ),
  );
}

/** The latest revision of every corrected image, in image key order. */
export async function latestMaskRevisions(database: ProjectDatabase): Promise<MaskRevision[]> {
  return database.read((db) =>
    db.all<MaskRevision>(
      `SELECT ${REVISION_COLUMNS} FROM ${REVISIONS_WITH_KEYS}
       WHERE r.id IN (SELECT max(id) FROM mask_revisions GROUP BY image_id) ORDER BY i.key`,
    ),
  );
}

/** Each image's latest revision id, or null where it was never corrected. */
export async function currentTrainingMasks(
  database: ProjectDatabase,
  imageKeys: string[],
): Promise<TrainingMask[]> {
  const latest = new Map((await latestMaskRevisions(database)).map((r) => [r.imageKey, r.id]));
  const known = new Set((await listImages(database)).map((i) => i.key));
  return imageKeys.map((imageKey) => {
    if (!known.has(imageKey)) {
      throw new AppError(CODES.UNKNOWN_IMAGE, `The project has no image ${imageKey}.`);
    }
    return { imageKey, revisionId: latest.get(imageKey) ?? null };
  });
}

/** One revision's record and its stored bytes (see its `encoding`). */
export async function maskRevisionBytes(
  database: ProjectDatabase,
  id: number,
): Promise<{ revision: MaskRevision; bytes: Uint8Array }> {
  const row = await database.read((db) =>
    db.get<MaskRevision & { bytes: Buffer }>(
      `SELECT ${REVISION_COLUMNS}, r.bytes FROM ${REVISIONS_WITH_KEYS} WHERE r.id = ?`,
      [id],
    ),
  );
  if (!row) throw new AppError(CODES.UNKNOWN_REVISION, `The project has no mask revision ${id}.`);
  const { bytes: blob, ...revision } = row;
  const bytes = bytesOf(blob);
  // SQLite checks its pages, not the bytes in them: a damaged blob is only seen here.
  if (sha256Hex(bytes) !== revision.sha256)
    throw damagedRevisionError(database.file, revision, 'its bytes do not match their SHA-256');
  return { revision, bytes };
}

/** PROJECT_REVISION_DAMAGED: one stored mask cannot be read back, naming image and revision. */
export function damagedRevisionError(
  file: string,
  revision: Pick<MaskRevision, 'id' | 'imageKey'>,
  why: string,
): AppError {
  return new AppError(
    CODES.REVISION_DAMAGED,
    `Mask revision ${revision.id} of image ${revision.imageKey} in ${file} is damaged (${why}). Restore an earlier revision of the image, or the project from a backup (\`project restore\`); \`project info --check\` lists every damaged one.`,
    { imageKey: revision.imageKey, revisionId: revision.id },
  );
}

/** Decodes a revision's verified bytes, naming it when they still do not decode. */
async function decodeRevision(
  database: ProjectDatabase,
  revision: MaskRevision,
  bytes: Uint8Array,
): Promise<BinaryMask> {
  try {
    return await decodeStoredMask(revision.encoding, bytes, revision.width, revision.height);
  } catch (error) {
    throw damagedRevisionError(database.file, revision, (error as Error).message);
  }
}

/** One revision decoded to a 0/1 mask. */
export async function loadMaskRevision(
  database: ProjectDatabase,
  id: number,
): Promise<{ revision: MaskRevision; mask: BinaryMask }> {
  const { revision, bytes } = await maskRevisionBytes(database, id);
  return { revision, mask: await decodeRevision(database, revision, bytes) };
}

/** One revision as PNG bytes (0/255 grey), encoded when it is stored as run lengths. */
export async function maskRevisionPng(database: ProjectDatabase, id: number): Promise<Uint8Array> {
  const { revision, bytes } = await maskRevisionBytes(database, id);
  if (revision.encoding === 'png') return bytes;
  return encodePngMask(await decodeRevision(database, revision, bytes));
}

/** Appends a copy of an earlier revision, making it current again with history intact. */
export function restoreMaskRevision(
  database: ProjectDatabase,
  id: number,
  note?: string,
): Promise<MaskRevision> {
  return database.write(async (db) => {
    const old = await db.get<MaskRevision>(
      `SELECT ${REVISION_COLUMNS} FROM ${REVISIONS_WITH_KEYS} WHERE r.id = ?`,
      [id],
    );
    if (!old)
      throw new AppError(
        CODES.UNKNOWN_REVISION,
        `The project has no mask revision ${id} to restore.`,
      );
    const createdAt = now();
    const text = note ?? `restored revision ${id}`;
    // Copied inside SQLite: the bytes need not travel through JavaScript.
    const { lastId } = await db.run(
      `INSERT INTO mask_revisions (image_id, parent_id, created_at, note, encoding, width, height, bytes, sha256)
       SELECT image_id, id, ?, ?, encoding, width, height, bytes, sha256 FROM mask_revisions WHERE id = ?`,
      [createdAt, text, id],
    );
    return { ...old, id: lastId, parentId: id, createdAt, note: text };
  });
}
