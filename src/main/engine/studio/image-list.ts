/**
 * The studio's image list: every dataset image with whether it was corrected and the active
 * model's figures on it (F1, AUC, uncertainty, disagreement), ranked "correct next". Figures
 * are kept per image and mask state, so only an image with a new revision is measured again.
 * Each image also gets its uncertainty score at the display threshold (uncertainty-score.ts),
 * from a histogram of its prediction kept per image, for the "most uncertain first" order.
 */
import type { StudioImageList } from '../../../shared/api/studio';
import type { ImageEntry } from '../dataset';
import type { Project } from '../project';
import type { Corrections } from './corrections';
import { correctNextOrder, imageFigures, type ImageFigures } from './figures';
import type { ImageServing } from './image-serving';
import type { PredictionServing } from './predictions';
import { probabilityHistogram, uncertaintyScore } from './uncertainty-score';

/** Lists the dataset's images with their corrections and the active model's figures. */
export class ImageList {
  /** Figures by `<image id>@<revision id or label>`, so a new revision recomputes them. */
  private readonly figureCache = new Map<string, ImageFigures>();
  /** FOV histograms of the active model's predictions by image id (masks do not change them). */
  private readonly histogramCache = new Map<string, Uint32Array>();

  constructor(
    private readonly project: Project,
    private readonly images: ImageServing,
    private readonly predictions: PredictionServing,
    private readonly corrections: Corrections,
  ) {}

  /**
   * Every image, in dataset order, with its rank in the "correct next" order and its
   * uncertainty score at `threshold` (the display threshold, 0.5 unless given).
   */
  async list(threshold = 0.5): Promise<StudioImageList> {
    const latest = new Map((await this.project.latestMaskRevisions()).map((r) => [r.imageKey, r]));
    const rows = [];
    for (const entry of this.images.all()) {
      const revision = latest.get(entry.id) ?? null;
      const figures = await this.figures(entry, revision?.id ?? null);
      const histogram = figures ? (this.histogramCache.get(entry.id) ?? null) : null;
      rows.push({ entry, revision, figures, histogram });
    }
    const order = correctNextOrder(rows.map((r) => ({ id: r.entry.id, figures: r.figures })));
    const model = this.predictions.active;
    return {
      images: rows.map(({ entry, revision, figures, histogram }) => ({
        id: entry.id,
        split: entry.split,
        name: entry.name,
        width: entry.width,
        height: entry.height,
        observers: (['1st', '2nd'] as const).filter((o) => entry.labelPaths[o] !== undefined),
        corrected: revision !== null,
        latestRevisionId: revision?.id ?? null,
        f1: figures?.f1 ?? null,
        auc: figures?.auc ?? null,
        uncertainty: figures?.uncertainty ?? null,
        disagreement: figures?.disagreement ?? null,
        correctNextRank: order.get(entry.id) ?? rows.length,
        uncertaintyScore: histogram ? uncertaintyScore(histogram, threshold) : null,
      })),
      orderNote: model
        ? `Correct next: highest uncertainty + disagreement of model "${model.name}" first; images without a cached prediction last.`
        : 'No model yet: images in dataset order.',
    };
  }

  /** Drops the figures, e.g. after new predictions were stored or another model became active. */
  forget(): void {
    this.figureCache.clear();
    this.histogramCache.clear();
  }

  /** Figures of the active model on one image, when its prediction is cached. */
  private async figures(
    entry: ImageEntry,
    revisionId: number | null,
  ): Promise<ImageFigures | null> {
    if (!this.predictions.active) return null;
    const key = `${entry.id}@${revisionId ?? 'label'}`;
    const cached = this.figureCache.get(key);
    if (cached) return cached;
    const probabilities = await this.predictions.probabilities(entry);
    if (!probabilities) return null;
    const mask = await this.corrections.currentMask(entry, revisionId);
    const fov = await this.images.fov(entry);
    const figures = imageFigures(entry.id, probabilities, mask, fov);
    this.figureCache.set(key, figures);
    if (!this.histogramCache.has(entry.id)) {
      this.histogramCache.set(entry.id, probabilityHistogram(probabilities, fov));
    }
    return figures;
  }
}
