/**
 * One-click retrain in the desktop app, in the real Electron binary: a tiny model trained in
 * the compute utility process, then quitting during a long run, which asks, cancels the run
 * cleanly and quits; relaunched on the same profile, the project has the cancelled run
 * recorded. Skips with the reason where the Electron binary is absent.
 */
import type * as NodeFs from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestDataset } from '../../src/main/engine/studio/test-dataset';
import {
  answerNextOpenDialog,
  clickMenuItem,
  desktopSkipReason,
  launchDesktop,
  saveScreenshot,
  type DesktopSession,
} from './harness';
import { runStatus, tinySettings } from '../studio-page';

const skipReason = desktopSkipReason();
if (skipReason !== null) console.warn(skipReason);

type VesselWindow = Window & {
  vessel: Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
};

/** Opens the dataset through File > Open Dataset Folder, main's dialog answered by the test. */
async function openFromMenu(desktop: DesktopSession, dataset: string): Promise<void> {
  await answerNextOpenDialog(desktop.app, dataset);
  await clickMenuItem(desktop.app, 'dataset.openFolder');
  await expect
    .poll(() => desktop.page.getByTestId('retrain').isVisible(), { timeout: 60_000 })
    .toBe(true);
}

describe.skipIf(skipReason !== null)('retrain in the desktop app', () => {
  let scratch: string;
  let dataset: string;
  let profile: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'vessel-desktop-retrain-'));
    dataset = path.join(scratch, 'DRIVE-mini');
    profile = path.join(scratch, 'profile');
    await writeTestDataset(dataset, { width: 40, height: 32, perSplit: 3 });
  });

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('trains in the compute utility process; quitting mid-run asks, cancels it and quits', async () => {
    const desktop = await launchDesktop([], { userDataDir: profile });
    try {
      const { page, app } = desktop;
      await openFromMenu(desktop, dataset);
      await page.getByRole('button', { name: 'Settings' }).click();
      await tinySettings(page, 2, false);
      await page.getByTestId('retrain').click();
      await expect
        .poll(() => runStatus(page), { timeout: 240_000, interval: 200 })
        .toBe('finished');
      // The bundled model (the project's first version) and the one just trained.
      await expect.poll(() => page.getByTestId('model-version').count()).toBe(2);
      // TensorFlow.js ran in the utility process named by compute-process.ts, not in main.
      const processes = await app.evaluate(({ app: electronApp }) =>
        electronApp.getAppMetrics().map((m) => ({ type: m.type, name: m.name ?? '' })),
      );
      expect(processes).toContainEqual({ type: 'Utility', name: 'Vessel Studio Compute' });
      await saveScreenshot(page, 'desktop-retrain-1-finished');

      // A long run, then quit: the person is asked and chooses to cancel it and quit.
      await tinySettings(page, 200, true);
      await page.getByTestId('retrain').click();
      await expect
        .poll(() => page.getByTestId('training-progress').isVisible(), {
          timeout: 120_000,
          interval: 100,
        })
        .toBe(true);
      const questionFile = path.join(scratch, 'quit-question.txt');
      await app.evaluate(({ dialog }, file) => {
        // Answers "Cancel It and Quit" and keeps the question, which outlives the app in a file.
        const fs = process.getBuiltinModule('node:fs') as typeof NodeFs;
        dialog.showMessageBox = (async (...args: unknown[]) => {
          const options = args[args.length - 1] as { message: string };
          fs.writeFileSync(file, options.message);
          return { response: 1, checkboxChecked: false };
        }) as typeof dialog.showMessageBox;
      }, questionFile);
      const closed = new Promise<void>((resolve) => app.once('close', () => resolve()));
      await app.evaluate(({ app: electronApp }) => {
        // Quit after this evaluate has answered, as the menu's Quit would.
        setTimeout(() => electronApp.quit(), 100);
      });
      await closed;
      expect(await readFile(questionFile, 'utf8')).toMatch(
        /^Training run \d+ is (running \(epoch \d+ of 200\)|queued)\. Quit anyway\?$/,
      );
    } finally {
      await desktop.close();
    }

    // Relaunched on the same profile: the run was recorded as cancelled, not lost mid-write.
    const again = await launchDesktop([], { userDataDir: profile });
    try {
      await openFromMenu(again, dataset);
      const runs = (await again.page.evaluate(() =>
        (window as unknown as VesselWindow).vessel.training.runs({}),
      )) as { ok: boolean; value: Array<{ status: string }> };
      expect(runs.ok).toBe(true);
      expect(runs.value.map((r) => r.status)).toEqual(['cancelled', 'finished']);
      await saveScreenshot(again.page, 'desktop-retrain-2-after-quit');
    } finally {
      await again.close();
    }
  });
});
