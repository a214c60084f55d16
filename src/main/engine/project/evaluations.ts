/**
 * Evaluations: how a model version measured under a stated protocol, as pooled and per-image
 * metrics (JSON) and ROC and PR curves (Float32 blobs, compact and exact for plotting).
 */
import { AppError } from '../../../shared/result';
import type { ProjectDatabase } from './database';
import { unknownModelError } from './errors';
import { jsonText, now, whereEquals } from './records';
import { asBlob } from './sqlite';
import { PROJECT_ERROR_CODES as CODES, type Evaluation, type EvaluationInput } from './types';

interface EvaluationRow {
  id: number;
  name: string;
  model_version_id: number | null;
  run_id: number | null;
  protocol: string;
  pooled: string;
  roc_fpr: Buffer | null;
  roc_tpr: Buffer | null;
  roc_thresholds: Buffer | null;
  pr_recall: Buffer | null;
  pr_precision: Buffer | null;
  pr_thresholds: Buffer | null;
  created_at: string;
}

/** A Float32 blob of a curve's values (undefined stays null). */
function floatBlob(values: ArrayLike<number> | undefined): Buffer | null {
  if (values === undefined) return null;
  return asBlob(Float32Array.from(values));
}

/** Copies a blob into its own Float32Array (a Buffer's offset need not be 4-aligned). */
function floatsOf(blob: Buffer | null): Float32Array | null {
  if (blob === null) return null;
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}

/** Refuses a curve whose two arrays differ in length. */
function checkCurves(input: EvaluationInput): void {
  for (const [label, a, b] of [
    ['ROC', input.roc?.fpr, input.roc?.tpr],
    ['PR', input.pr?.recall, input.pr?.precision],
  ] as const) {
    if (a !== undefined && b !== undefined && a.length !== b.length) {
      throw new AppError(
        CODES.BAD_INPUT,
        `The ${label} curve's two arrays differ in length (${a.length} vs ${b.length}).`,
      );
    }
  }
}

/** Stores an evaluation: protocol, pooled and per-image metrics, ROC and PR points. */
export async function addEvaluation(
  database: ProjectDatabase,
  input: EvaluationInput,
): Promise<Evaluation> {
  checkCurves(input);
  const protocol = jsonText(input.protocol, 'The evaluation protocol');
  const pooled = jsonText(input.pooled, 'The pooled metrics');
  const id = await database.write(async (db) => {
    if (
      input.modelVersionId !== null &&
      !(await db.get('SELECT id FROM model_versions WHERE id = ?', [input.modelVersionId]))
    ) {
      throw unknownModelError(input.modelVersionId);
    }
    const { lastId } = await db.run(
      `INSERT INTO evaluations (model_version_id, run_id, name, protocol, pooled, roc_fpr, roc_tpr, roc_thresholds,
         pr_recall, pr_precision, pr_thresholds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        input.modelVersionId,
        input.runId ?? null,
        input.name ?? '',
        protocol,
        pooled,
        floatBlob(input.roc?.fpr),
        floatBlob(input.roc?.tpr),
        floatBlob(input.roc?.thresholds),
        floatBlob(input.pr?.recall),
        floatBlob(input.pr?.precision),
        floatBlob(input.pr?.thresholds),
        now(),
      ],
    );
    for (const item of input.perImage ?? []) {
      await db.run(
        'INSERT INTO evaluation_images (evaluation_id, image_key, metrics) VALUES (?, ?, ?)',
        [lastId, item.imageKey, jsonText(item.metrics, `The metrics of ${item.imageKey}`)],
      );
    }
    return lastId;
  });
  return getEvaluation(database, id);
}

/** One evaluation with its curves; PROJECT_UNKNOWN_EVALUATION when there is none. */
export function getEvaluation(database: ProjectDatabase, id: number): Promise<Evaluation> {
  return database.read(async (db) => {
    const row = await db.get<EvaluationRow>('SELECT * FROM evaluations WHERE id = ?', [id]);
    if (!row) throw new AppError(CODES.UNKNOWN_EVALUATION, `The project has no evaluation ${id}.`);
    const perImage = await db.all<{ image_key: string; metrics: string }>(
      'SELECT image_key, metrics FROM evaluation_images WHERE evaluation_id = ? ORDER BY image_key',
      [id],
    );
    const fpr = floatsOf(row.roc_fpr);
    const tpr = floatsOf(row.roc_tpr);
    const recall = floatsOf(row.pr_recall);
    const precision = floatsOf(row.pr_precision);
    return {
      id: row.id,
      name: row.name,
      modelVersionId: row.model_version_id,
      runId: row.run_id,
      protocol: JSON.parse(row.protocol) as unknown,
      pooled: JSON.parse(row.pooled) as Record<string, unknown>,
      perImage: perImage.map((p) => ({
        imageKey: p.image_key,
        metrics: JSON.parse(p.metrics) as Record<string, unknown>,
      })),
      roc: fpr && tpr ? { fpr, tpr, thresholds: floatsOf(row.roc_thresholds) } : null,
      pr:
        recall && precision ? { recall, precision, thresholds: floatsOf(row.pr_thresholds) } : null,
      createdAt: row.created_at,
    };
  });
}

/** Evaluations (of one model version, or all), oldest first. */
export async function listEvaluations(
  database: ProjectDatabase,
  modelVersionId?: number,
): Promise<Evaluation[]> {
  const { where, params } = whereEquals('model_version_id', modelVersionId);
  const ids = await database.read((db) =>
    db.all<{ id: number }>(`SELECT id FROM evaluations ${where} ORDER BY id`, params),
  );
  const out: Evaluation[] = [];
  for (const { id } of ids) out.push(await getEvaluation(database, id));
  return out;
}
