/**
 * Per-image figures of the active model against the current mask, and the "correct next"
 * order: images where the model is unsure and disagrees most with the mask come first,
 * because a person's time there changes the training data the most.
 */
import { areaUnderRoc, countConfusion, metricsFromCounts, rankImages } from '../metrics';

export interface ImageFigures {
  f1: number | null;
  auc: number | null;
  /** Mean of 1 - |2p - 1| inside the FOV: 0 when every pixel is 0 or 1, 1 when all are 0.5. */
  uncertainty: number;
  /** 1 - F1 (1 when F1 is undefined: nothing predicted and nothing labelled counts as agreeing). */
  disagreement: number;
}

/** F1 at `threshold`, exact AUC, uncertainty and disagreement of one image inside its FOV. */
export function imageFigures(
  id: string,
  probabilities: Float32Array,
  mask: Uint8Array,
  fov: Uint8Array,
  threshold = 0.5,
): ImageFigures {
  const scored = { id, scores: probabilities, label: mask, region: fov };
  const f1 = metricsFromCounts(countConfusion(scored, threshold)).f1;
  const auc = areaUnderRoc(rankImages([scored]));
  let sum = 0;
  let n = 0;
  for (let i = 0; i < probabilities.length; i++) {
    if (fov[i] === 0) continue;
    sum += 1 - Math.abs(2 * probabilities[i]! - 1);
    n++;
  }
  return { f1, auc, uncertainty: n > 0 ? sum / n : 0, disagreement: f1 === null ? 0 : 1 - f1 };
}

/**
 * Ranks images for correction: by uncertainty + disagreement, highest first; images without
 * figures (no prediction yet) follow in their list order. Returns the rank of every id.
 */
export function correctNextOrder(
  images: ReadonlyArray<{ id: string; figures: ImageFigures | null }>,
): Map<string, number> {
  const scored = images
    .map((image, index) => ({ ...image, index }))
    .sort((a, b) => {
      if (a.figures && b.figures) {
        const sa = a.figures.uncertainty + a.figures.disagreement;
        const sb = b.figures.uncertainty + b.figures.disagreement;
        return sb - sa || a.index - b.index;
      }
      if (a.figures) return -1;
      if (b.figures) return 1;
      return a.index - b.index;
    });
  return new Map(scored.map((s, rank) => [s.id, rank]));
}
