/**
 * Retrain's decisions on DRIVE with the bundled model, end to end in Chromium against browser
 * mode: a quick fine-tune on one (harmful) correction that scores worse on validation and is
 * therefore not made active, with one click to use it anyway; then a full Retrain whose one
 * progress line goes on through the evaluation, cancelled while evaluating.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { driveRoot } from '../test/support/drive';
import { saveScreenshot } from './harness';
import { followRun, openFolder, runStatus, useStudio } from './studio-page';

const DRIVE = driveRoot();
const present = existsSync(path.join(DRIVE, 'test', 'images'));
if (!present) console.log(`Skipping the Retrain decisions test: no DRIVE folder at ${DRIVE}.`);

/** A 0/255 PNG of the 1st manual label of a 565 x 584 DRIVE image with a 40 x 40 block painted as vessel. */
async function harmfulCorrection(labelPath: string): Promise<Uint8Array<ArrayBuffer>> {
  const { data, info } = await sharp(labelPath)
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const mask = Buffer.from(Uint8Array.from(data, (v) => (v > 127 ? 255 : 0)));
  for (let y = 272; y < 312; y++) for (let x = 262; x < 302; x++) mask[y * info.width + x] = 255;
  const png = await sharp(mask, { raw: { width: info.width, height: info.height, channels: 1 } })
    .png()
    .toBuffer();
  return Uint8Array.from(png);
}

describe('Retrain decisions on DRIVE', () => {
  const studio = useStudio({ prefix: 'vessel-retrain-decisions-', enabled: present });

  it.skipIf(!present)(
    'keeps a worse quick fine-tune inactive, offers it with one click, and cancels a full Retrain while it evaluates',
    async () => {
      const { page } = studio.browser;
      const { client } = studio;
      await page.goto(studio.serve.url);
      await openFolder(page, DRIVE);
      await expect
        .poll(() => page.getByTestId('split').textContent(), { timeout: 60_000 })
        .toMatch(/18 training, 2 validation .*20 test images/);
      // The bundled model's background predictions would share the two cores with training.
      await client.request('studio.pausePredictions', {});
      const split = await client.request('training.split', {});
      const target = split.training[0] as string;
      const stem = target.split('/')[1]!.replace('_training', '');
      await client.request('studio.saveMask', {
        id: target,
        png: await harmfulCorrection(
          path.join(DRIVE, 'training', '1st_manual', `${stem}_manual1.gif`),
        ),
        parentRevisionId: null,
        note: 'a block painted as vessel',
      });
      const bundled = (await client.request('models.list', {}))[0]!;
      expect(bundled.active).toBe(true);

      // 1. Quick fine-tune at a learning rate a hundred times Retrain's: worse on validation.
      await page.getByRole('button', { name: 'Settings' }).click();
      await page.getByLabel('Learning rate').fill('0.01');
      await page.getByTestId('quick-retrain').click();
      const progressSeen = await followRun(page, 'finished', { timeout: 300_000, interval: 200 });
      // One epoch of 40 batches on the corrected image, and no evaluation inside the run.
      expect(progressSeen.some((t) => /^epoch 1\/1, batch \d+\/40, loss \d/.test(t))).toBe(true);
      expect(progressSeen.some((t) => /evaluating/.test(t))).toBe(false);
      const decision = page.getByTestId('run-decision');
      await expect.poll(() => decision.getAttribute('data-activated')).toBe('false');
      expect(await decision.textContent()).toMatch(
        /scored validation AUC 0\.\d{4}, below Bundled default \(LadderNet, DRIVE\)'s 0\.\d{4}: Bundled default \(LadderNet, DRIVE\) stays active/,
      );
      let models = await client.request('models.list', {});
      const quick = models.at(-1)!;
      expect(quick).toMatchObject({
        active: false,
        test: null,
        trainedOn: { images: 1, corrected: 1 },
      });
      expect(models.find((m) => m.active)?.id).toBe(bundled.id);
      await saveScreenshot(page, 'retrain-decisions-1-kept-inactive');
      // One click makes it active anyway; the old version stays in the list.
      await page.getByTestId('activate-run-model').click();
      await expect.poll(() => decision.getAttribute('data-activated')).toBe('true');
      models = await client.request('models.list', {});
      expect(models.find((m) => m.active)?.id).toBe(quick.id);
      await client.request('models.activate', { id: bundled.id });
      await client.request('studio.pausePredictions', {});

      // 2. A full Retrain: one progress line through training and evaluation; cancelled while
      //    evaluating, it keeps the new version unevaluated and the bundled model active.
      await page.getByLabel('Learning rate').fill('0.0001');
      await page.getByLabel('Epochs').fill('1');
      await page.getByLabel('Steps/epoch').fill('2');
      await page.getByLabel('Batch').fill('2');
      const seen: { phase: string | null; text: string | null }[] = [];
      await page.getByTestId('retrain').click();
      await expect
        .poll(
          async () => {
            const line = page.getByTestId('training-progress');
            const phase = await line.getAttribute('data-phase').catch(() => null);
            seen.push({ phase, text: await line.textContent().catch(() => null) });
            return phase;
          },
          { timeout: 300_000, interval: 200 },
        )
        .toBe('evaluating');
      expect(
        seen.some((s) => s.phase === 'training' && /ETA .*evaluating 40 images/.test(s.text ?? '')),
      ).toBe(true);
      await expect
        .poll(() => page.getByTestId('training-progress').textContent())
        .toMatch(/^evaluating: \d+ of 40 images predicted · ETA /);
      await saveScreenshot(page, 'retrain-decisions-2-evaluating');
      await page.getByTestId('cancel-training').click();
      await expect.poll(() => runStatus(page), { timeout: 120_000 }).toBe('cancelled');
      await expect
        .poll(() => page.getByTestId('run-decision').textContent())
        .toMatch(/Cancelled while evaluating: .* is kept in the models panel without test figures/);
      models = await client.request('models.list', {});
      expect(models.at(-1)).toMatchObject({ active: false, test: null });
      expect(models.find((m) => m.active)?.id).toBe(bundled.id);
      expect(
        studio.browser.consoleErrors.filter((e) => !/Failed to load resource/.test(e)),
      ).toEqual([]);
    },
  );
});
