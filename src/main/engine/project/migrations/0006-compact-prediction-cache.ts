/**
 * Schema 6: the prediction cache as 8-bit grey PNGs instead of deflated Float32. A DRIVE map
 * (565x584) took about 1.2 MB, so every model version added ~49 MB for the 40 images; as a PNG
 * it takes about a tenth of that. Every cached row is converted (one at a time, so memory stays at one
 * map); a row whose bytes do not decode as the Float32 map its size says is dropped, since the
 * cache only ever holds what can be predicted again. The table is rebuilt because its CHECK
 * names the encodings; nothing references it, so copy, drop, rename is safe in the step's
 * transaction. The pages the old rows leave free are reclaimed after the upgrade (open.ts).
 */
import { inflateRawSync } from 'node:zlib';
import { encodePrediction } from '../prediction-codec';
import type { Migration } from './types';

interface OldRow {
  model_version_id: number;
  image_id: number;
  options_key: string;
  encoding: string;
  width: number;
  height: number;
  created_at: string;
  bytes: Buffer;
}

/** The Float32 map of a schema-5 row, or null when its bytes are not one. */
function decodeF32Deflate(row: OldRow): Float32Array | null {
  if (row.encoding !== 'f32-deflate') return null;
  let raw: Buffer;
  try {
    raw = inflateRawSync(row.bytes);
  } catch {
    return null;
  }
  if (raw.byteLength !== row.width * row.height * 4) return null;
  // Copied: the inflated bytes need not sit 4-aligned for a Float32Array.
  const probabilities = new Float32Array(row.width * row.height);
  new Uint8Array(probabilities.buffer).set(raw);
  return probabilities;
}

export const migration0006: Migration = {
  version: 6,
  name: 'compact-prediction-cache',
  async up(db) {
    await db.exec(`
      CREATE TABLE prediction_cache_v6 (
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        image_id INTEGER NOT NULL REFERENCES images(id),
        options_key TEXT NOT NULL,
        encoding TEXT NOT NULL CHECK (encoding IN ('u8-png')),
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (model_version_id, image_id, options_key)
      ) STRICT;
    `);
    const keys = await db.all<{ id: number }>('SELECT rowid AS id FROM prediction_cache');
    for (const { id } of keys) {
      const row = await db.get<OldRow>('SELECT * FROM prediction_cache WHERE rowid = ?', [id]);
      if (!row) continue;
      const probabilities = decodeF32Deflate(row);
      if (!probabilities || row.width <= 0 || row.height <= 0) continue;
      const png = await encodePrediction(probabilities, row.width, row.height);
      await db.run(
        `INSERT INTO prediction_cache_v6
           (model_version_id, image_id, options_key, encoding, width, height, created_at, bytes)
         VALUES (?, ?, ?, 'u8-png', ?, ?, ?, ?)`,
        [
          row.model_version_id,
          row.image_id,
          row.options_key,
          row.width,
          row.height,
          row.created_at,
          png,
        ],
      );
    }
    await db.exec(`
      DROP TABLE prediction_cache;
      ALTER TABLE prediction_cache_v6 RENAME TO prediction_cache;
    `);
  },
};
