#!/bin/sh
# Trains the default recipe into OUT (default resources/models/default, the bundled model):
# LadderNet (layers 4, filters 10) on the 20 DRIVE training images only (2 held out for validation by seed 1), LadderNet's DRIVE
# preprocessing, 48x48 patches centred in the FOV with flips, quarter turns and random rescaling
# by 0.7x to 1.5x (the range is explained at SCALE_AUGMENT_DEFAULT in
# src/main/engine/dataset/augment.ts), BCE, Adam 1e-3 reduced on plateau. The intensity
# augmentation (--intensity-aug) stays off: no run has shown it helps on DRIVE. The best model by
# validation loss is kept in OUT; OUT.checkpoint holds the state to continue from. A model's
# vessel.json records the options it was trained with (training.options).
#
#   scripts/train-default.sh [OUT] [extra train options]     # start (OUT defaults to resources/models/default)
#   scripts/train-default.sh OUT --resume [--epochs N]        # continue an interrupted run
#
# Ctrl+C stops after the current batch and keeps both folders. (node --import tsx rather than npx tsx:
# the tsx wrapper relays Ctrl+C a second time, which the CLI takes as 'force quit'.)
set -eu
cd "$(dirname "$0")/.."
OUT="${1:-resources/models/default}"
[ $# -gt 0 ] && shift
DATA="${VESSEL_DRIVE:-../shared/datasets/DRIVE}"
case " $* " in
  *" --resume "*) exec node --import tsx src/main/cli.ts train --data "$DATA" --out "$OUT" "$@" ;;
  *) exec node --import tsx src/main/cli.ts train --data "$DATA" --out "$OUT" --config scripts/train-default.json "$@" ;;
esac
