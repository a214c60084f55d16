/**
 * Published DRIVE results, shipped as data with the protocol and the source of every row, and
 * what we could confirm of each figure against its source (checked with the search tool on
 * 2026-11-27; the `verification` field of a row says what was found where). Numbers measured
 * under different protocols are not comparable: a row whose protocol differs from ours says so.
 *
 * Pure data and types: imported by the engine (CLI tables) and the renderer (evaluation panel).
 */
import type { MetricName } from './api/metrics';

/** Names of the figures a published row may carry, as our metrics name them (no IoU or MCC). */
export type PublishedMetricName = Exclude<MetricName, 'iou' | 'mcc'>;

/** How a row's pixels were scored, as far as its source says. */
export interface PublishedProtocol {
  /** `whole-image` adds about two million easy background pixels: not comparable with `fov`. */
  region: 'fov' | 'whole-image' | 'not stated';
  aggregation: 'pooled' | 'per-image-mean' | 'not stated';
  /** The binarisation threshold, e.g. `0.5 (p >= 0.5)`, or `not stated`. */
  threshold: string;
  /** The ground truth: DRIVE's 1st manual in every row here. */
  reference: '1st manual';
  /** Anything else a reader needs, e.g. images resized before inference. */
  notes: string[];
}

/** What we could confirm of a row, and where. */
export interface Verification {
  /** `confirmed`: every figure seen in the source or its released output; `partly`: some. */
  status: 'confirmed' | 'partly confirmed' | 'not confirmed';
  /** Figures seen in a source (primary or secondary, as `checkedAgainst` says). */
  confirmed: PublishedMetricName[];
  /** What was read: repository files with commits, pages with addresses. */
  checkedAgainst: string[];
  /** Discrepancies and what could not be found. */
  note: string;
}

/** One published result on the DRIVE test set. */
export interface PublishedResult {
  id: string;
  method: string;
  /** Figures as published (fractions, not percent), rounded as in the source. */
  values: Partial<Record<PublishedMetricName, number>>;
  protocol: PublishedProtocol;
  /** True when the protocol matches ours (inside the FOV, pooled, threshold 0.5, 1st manual). */
  comparableWithOurs: boolean;
  /** The confusion counts the source released, when it did (so the figures can be recomputed). */
  counts?: { tp: number; fp: number; fn: number; tn: number };
  source: { citation: string; url: string };
  verification: Verification;
}

/** Our own protocol, which a comparable row must share. */
export const OUR_PROTOCOL_DESCRIPTION =
  'DRIVE test set, inside the FOV masks, pooled over the 20 images, 1st manual, threshold 0.5 (p >= 0.5)';

/** The R2U-Net paper, the source of two rows (its U-Net reimplementation and R2U-Net itself). */
const R2UNET_PAPER_SOURCE = {
  citation:
    'Alom, Hasan, Yakopcic, Taha, Asari: Recurrent Residual Convolutional Neural Network based on U-Net (R2U-Net) for Medical Image Segmentation, arXiv 1802.06955, 2018',
  url: 'https://arxiv.org/abs/1802.06955',
};

/** Region, aggregation and threshold of the two kinds of row protocol. */
const SCORING: Record<
  'as ours' | 'not stated',
  Pick<PublishedProtocol, 'region' | 'aggregation' | 'threshold'>
> = {
  /** Scored as we score: inside the FOV, pooled, threshold 0.5. */
  'as ours': { region: 'fov', aggregation: 'pooled', threshold: '0.5 (p >= 0.5)' },
  /** The source states neither region, aggregation nor threshold. */
  'not stated': { region: 'not stated', aggregation: 'not stated', threshold: 'not stated' },
};

/** The protocol of a row scored against the 1st manual as `scoring` says, with its notes. */
function protocol(scoring: keyof typeof SCORING, notes: string[]): PublishedProtocol {
  return { ...SCORING[scoring], reference: '1st manual', notes };
}

/** Published DRIVE rows, in the order tables show them. */
export const PUBLISHED_DRIVE_RESULTS: readonly PublishedResult[] = [
  {
    id: 'unet-in-r2unet-paper',
    method: 'U-Net (as reported in the R2U-Net paper)',
    values: { f1: 0.8142, recall: 0.7537, accuracy: 0.9531, auc: 0.9755 },
    protocol: protocol('not stated', [
      'A reimplementation by Alom et al.; the U-Net paper itself reports no DRIVE result.',
    ]),
    comparableWithOurs: false,
    source: R2UNET_PAPER_SOURCE,
    verification: {
      status: 'not confirmed',
      confirmed: [],
      checkedAgainst: ['search corpora pages and code for the R2U-Net paper and its tables'],
      note: 'The paper text was not found by the search tool; the figures come from REFERENCES.md and the issue. Its protocol is not known here, so it is not marked comparable.',
    },
  },
  {
    id: 'orobix-retina-unet',
    method: 'U-Net, orobix/retina-unet (about 0.47M parameters)',
    values: {
      f1: 0.8161,
      recall: 0.7671,
      specificity: 0.9835,
      accuracy: 0.956,
      precision: 0.8717,
      auc: 0.979,
    },
    protocol: protocol('as ours', [
      '48x48 patches at stride 5, probabilities averaged over the patches covering a pixel.',
      'Its confusion matrix sums to 4,538,143 pixels: exactly the FOV pixels of the 20 test images.',
    ]),
    comparableWithOurs: true,
    // scikit-learn's confusion matrix [[tn, fp], [fn, tp]] from test/performances.txt.
    counts: { tp: 443136, fp: 65238, fn: 134513, tn: 3895256 },
    source: {
      citation: 'orobix/retina-unet, README and test/performances.txt',
      url: 'https://github.com/orobix/retina-unet',
    },
    verification: {
      status: 'confirmed',
      confirmed: ['f1', 'recall', 'specificity', 'accuracy', 'precision', 'auc'],
      checkedAgainst: [
        'orobix/retina-unet test/performances.txt at commit d2311a9c461fb4bf495018e897609e046ddbfb3a: AUC 0.97903, F1 0.81607, accuracy 0.95598, sensitivity 0.76714, specificity 0.98353, precision 0.87167, confusion [[3895256, 65238], [134513, 443136]]',
        'orobix/retina-unet Readme.md: "Only the pixels belonging to the FOV are considered"; AUC ROC .9790',
      ],
      note: 'An older performances.txt in the same repository (commit 64b1206) reports another run (AUC 0.9610, F1 0.7835); the figures here are the later, README run. Its "Jaccard similarity score" equals its accuracy (an old scikit-learn behaviour), so it is not shown as IoU.',
    },
  },
  {
    id: 'r2unet',
    method: 'R2U-Net',
    values: { f1: 0.8171, recall: 0.7792, specificity: 0.9813, accuracy: 0.9556, auc: 0.9784 },
    protocol: protocol('not stated', []),
    comparableWithOurs: false,
    source: R2UNET_PAPER_SOURCE,
    verification: {
      status: 'partly confirmed',
      confirmed: ['f1', 'recall', 'specificity', 'accuracy'],
      checkedAgainst: [
        'Secondary: Nature Scientific Reports s41598-023-50141-0, Table 2 (DRIVE): R2Unet Dice 0.8171, SE 0.7792, SP 0.9813, Acc 0.9556 (http://preview-www.nature.com/articles/s41598-023-50141-0/tables/2)',
        'Secondary: zhengyuan-liu/Retinal-Vessel-Segmentation README: R2U-Net F1 0.8171, Sn 0.7792',
      ],
      note: 'Only secondary tables were found, not the paper. AUC 0.9784 appears only in a secondary table labelled CHASE_DB1 (Hindawi JHE 2022/5188362, Table 5), so it stays unconfirmed. The protocol is not known here.',
    },
  },
  {
    id: 'laddernet',
    method: 'LadderNet (about 1.38M parameters)',
    values: {
      f1: 0.8202,
      recall: 0.7856,
      specificity: 0.981,
      accuracy: 0.9561,
      precision: 0.8581,
      auc: 0.9793,
    },
    protocol: protocol('as ours', [
      'Code base of orobix/retina-unet: 48x48 patches at stride 5, probabilities averaged.',
      'Its confusion matrix sums to 4,538,143 pixels: the FOV pixels of the 20 test images.',
    ]),
    comparableWithOurs: true,
    counts: { tp: 453810, fp: 75061, fn: 123839, tn: 3885433 },
    source: {
      citation:
        'Zhuang: LadderNet: Multi-path networks based on U-Net for medical image segmentation, arXiv 1810.07810, 2018; code juntang-zhuang/LadderNet',
      url: 'https://github.com/juntang-zhuang/LadderNet',
    },
    verification: {
      status: 'confirmed',
      confirmed: ['f1', 'recall', 'specificity', 'accuracy', 'precision', 'auc'],
      checkedAgainst: [
        'juntang-zhuang/LadderNet test/performances.txt at commit e9783698950806ffe408100ef91bf79a773a03cc: AUC 0.97933, F1 0.82025, accuracy 0.95617, sensitivity 0.78562, specificity 0.98105, precision 0.85807, confusion [[3885433, 75061], [123839, 453810]]',
        'juntang-zhuang/LadderNet README.md at commit 4675d78f: AUC ROC .9794 in its table',
      ],
      note: 'The README table rounds the AUC to .9794; the released output gives 0.97933. The published accuracy 0.9561 truncates the released 0.95617. Its "Jaccard similarity score" (0.9562) is the accuracy, not IoU; the real IoU is F1 / (2 - F1) = 0.6953.',
    },
  },
  {
    id: 'iternet',
    method: 'IterNet',
    values: { f1: 0.8205, recall: 0.7735, accuracy: 0.9573, auc: 0.9816 },
    protocol: protocol('not stated', ['Images resized to 576x576 for the network.']),
    comparableWithOurs: false,
    source: {
      citation:
        'Li, Verma, Nakashima, Nagahara, Kawasaki: IterNet: Retinal Image Segmentation Utilizing Structural Redundancy in Vessel Networks, WACV 2020',
      url: 'https://github.com/conscienceli/IterNet',
    },
    verification: {
      status: 'partly confirmed',
      confirmed: ['auc', 'f1'],
      checkedAgainst: [
        'conscienceli/IterNet README.md at commit dfa1534e: "IterNet achieves AUCs of 0.9816, 0.9851, and 0.9881 on ... DRIVE, CHASE-DB1, and STARE"',
        'Secondary: https://www.paperswithcode.com/paper/iternet-retinal-image-segmentation-utilizing: DRIVE F1 0.8205, AUC 0.9816',
      ],
      note: 'Sensitivity 0.7735 and accuracy 0.9573 were not found (one aggregator lists accuracy 0.9574). The protocol was not checked here.',
    },
  },
  {
    id: 'sa-unet',
    method: 'SA-UNet (scored on the whole image, not the FOV)',
    values: { f1: 0.8263, recall: 0.8212, accuracy: 0.9698, auc: 0.9864 },
    protocol: {
      region: 'whole-image',
      aggregation: 'not stated',
      threshold: 'not stated',
      reference: '1st manual',
      notes: [
        'Scored on the whole image: the background outside the FOV inflates accuracy and specificity. Not comparable with the FOV rows.',
      ],
    },
    comparableWithOurs: false,
    source: {
      citation:
        'Guo, Szemenyei, Yi, Wang, Chen, Fan: SA-UNet: Spatial Attention U-Net for Retinal Vessel Segmentation, arXiv 2004.03696, 2020; code clguo/SA-UNet',
      url: 'https://github.com/clguo/SA-UNet',
    },
    verification: {
      status: 'partly confirmed',
      confirmed: ['f1', 'accuracy', 'auc'],
      checkedAgainst: [
        'Secondary: https://vercel.hyper.ai/en/papers/2004.03696 (benchmark row): DRIVE AUC 0.9864, accuracy 0.9698, F1 0.8263',
        'clguo/SA-UNet issue #7 "Are ur results evaluated within FOV?": the author answers "without FOV" (https://github.com/clguo/SA-UNet/issues/7)',
      ],
      note: 'Sensitivity 0.8212 was not found. The whole-image protocol is confirmed by the author.',
    },
  },
];

/** A headline result of the original U-Net paper (not on DRIVE). */
export interface UnetPaperClaim {
  id: string;
  task: string;
  claim: string;
  value: number | null;
  verification: Verification;
}

/** The source of the U-Net paper's own results. */
export const UNET_PAPER_SOURCE = {
  citation:
    'Ronneberger, Fischer, Brox: U-Net: Convolutional Networks for Biomedical Image Segmentation, MICCAI 2015, arXiv 1505.04597',
  url: 'https://arxiv.org/abs/1505.04597',
} as const;

/** The U-Net paper's headline results and speed claim, shown where we compare with the paper. */
export const UNET_PAPER_CLAIMS: readonly UnetPaperClaim[] = [
  {
    id: 'isbi2012-warping',
    task: 'ISBI 2012 EM segmentation challenge (neuronal structures)',
    claim: 'warping error 0.000353 (rand error 0.0382), first at the time',
    value: 0.000353,
    verification: {
      status: 'not confirmed',
      confirmed: [],
      checkedAgainst: ['search corpora pages for the paper text (arXiv 1505.04597)'],
      note: 'The abstract (found) says it outperforms the prior best method on this challenge; the figure itself comes from REFERENCES.md and was not found by the search tool.',
    },
  },
  {
    id: 'isbi2015-phc-u373',
    task: 'ISBI cell tracking challenge 2015, PhC-U373 (phase contrast)',
    claim: 'IoU 0.9203 (second best 0.83)',
    value: 0.9203,
    verification: {
      status: 'not confirmed',
      confirmed: [],
      checkedAgainst: ['search corpora pages for the paper text (arXiv 1505.04597)'],
      note: 'The abstract (found) says it won this category by a large margin; the IoU comes from REFERENCES.md.',
    },
  },
  {
    id: 'isbi2015-dic-hela',
    task: 'ISBI cell tracking challenge 2015, DIC-HeLa (differential interference contrast)',
    claim: 'IoU 0.7756 (second best 0.46)',
    value: 0.7756,
    verification: {
      status: 'not confirmed',
      confirmed: [],
      checkedAgainst: ['search corpora pages for the paper text (arXiv 1505.04597)'],
      note: 'The abstract (found) says it won this category by a large margin; the IoU comes from REFERENCES.md.',
    },
  },
  {
    id: 'speed',
    task: 'Inference speed',
    claim:
      'a 512x512 image segmented in under a second on a recent GPU (2015: an NVIDIA Titan, 6 GB)',
    value: null,
    verification: {
      status: 'confirmed',
      confirmed: [],
      checkedAgainst: [
        'The abstract, e.g. https://hyper.ai/en/papers/1505.04597: "Segmentation of a 512x512 image takes less than a second on a recent GPU."',
      ],
      note: 'The GPU model (Titan, 6 GB) is from REFERENCES.md, not re-read here.',
    },
  },
];
