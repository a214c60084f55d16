/**
 * Opening and exporting in browser mode, in Chromium: from the first screen, browse to the
 * folder that holds DRIVE with the engine's folder browser, see DRIVE marked as a dataset with
 * its layout and where its project will be written, open it, see the project's location,
 * correct a mask and export the masks, then find the project among the recent ones after a
 * reload and reopen it from there. HOME is a temporary folder, so the projects, the recent
 * list and the export all land there and nothing is left behind.
 */
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { defaultProjectFile } from '../src/main/engine/studio/project-location';
import { drivePresent, driveRoot } from '../test/support/drive';
import { saveScreenshot } from './harness';
import { canvasState, useStudio, waitSaved } from './studio-page';

const haveDrive = drivePresent('the open-and-export end-to-end test', 'training', 'test');

/** Drags the brush along image row `y` from x0 to x1 of the image on the canvas. */
async function paintRow(page: Page, x0: number, x1: number, y: number): Promise<void> {
  const s = await canvasState(page);
  const at = (px: number) => ({
    x: s.box.left + s.x + (px + 0.5) * s.zoom,
    y: s.box.top + s.y + (y + 0.5) * s.zoom,
  });
  await page.mouse.move(at(x0).x, at(x0).y);
  await page.mouse.down();
  await page.mouse.move(at(x1).x, at(x1).y, { steps: 12 });
  await page.mouse.up();
}

describe.runIf(haveDrive)('open and export through the folder browser', () => {
  let drive: string;
  let projectFile: string;
  // The temporary folder is HOME. An empty VESSEL_PROJECTS_DIR counts as unset: the default
  // folder under HOME is used.
  const studio = useStudio({
    prefix: 'vessel-open-export-',
    env: (home) => ({ HOME: home, USERPROFILE: home, VESSEL_PROJECTS_DIR: '' }),
    prepare: async ({ dir: home }) => {
      drive = await realpath(driveRoot());
      // Where the engine puts DRIVE's project: the default projects folder of the temporary home.
      const name = path.basename(defaultProjectFile(drive, { VESSEL_PROJECTS_DIR: '/p' }));
      projectFile = path.join(home, '.vessel-studio', 'projects', name);
    },
  });

  it('browses to DRIVE from the first screen, opens it, exports the corrected masks, and lists it as recent', async () => {
    const { browser, client } = studio;
    const { page } = browser;
    await page.goto(studio.serve.url);
    const first = page.getByTestId('first-screen');
    await expect.poll(() => first.isVisible(), { timeout: 60_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('recent-projects-empty').isVisible()).toBe(true);

    // Start from a place (home), then type the folder that holds DRIVE.
    const browserPanel = first.getByTestId('folder-browser');
    await browserPanel.getByTestId('place-home').click();
    await expect.poll(() => browserPanel.getByTestId('folder-path').inputValue()).toBe('~');
    await browserPanel.getByTestId('folder-path').fill(path.dirname(drive));
    await browserPanel.getByTestId('folder-path').press('Enter');
    const row = browserPanel.locator(
      `[data-testid=folder-entry][data-name="${path.basename(drive)}"]`,
    );
    await expect.poll(() => row.getAttribute('data-dataset'), { timeout: 30_000 }).toBe('drive');
    expect(await row.getByTestId('dataset-badge').textContent()).toBe('DRIVE · 40 images');

    // Selecting it says where its project will be written, before anything is written.
    await row.click();
    await expect
      .poll(() => browserPanel.getByTestId('project-location-hint').textContent())
      .toContain(`creates its project at ~/.vessel-studio/projects/${path.basename(projectFile)}`);
    expect(existsSync(projectFile)).toBe(false);
    await saveScreenshot(page, 'open-export-1-browser');

    await row.getByTestId('folder-open').click();
    await expect
      .poll(() => page.getByTestId('project-location').textContent(), { timeout: 120_000 })
      .toBe(projectFile);
    expect(existsSync(projectFile)).toBe(true);
    await expect.poll(() => first.count()).toBe(0);

    // Correct the first image, then export the corrected masks beside the project.
    await expect
      .poll(async () => (await canvasState(page)).id, { timeout: 120_000 })
      .toMatch(/^(training|test)\/\d+_(training|test)$/);
    const imageId = (await canvasState(page)).id!;
    await paintRow(page, 200, 360, 300);
    await waitSaved(page);
    await saveScreenshot(page, 'open-export-2-corrected');

    await page.getByTestId('export-button').click();
    await page.getByTestId('export-masks').click();
    const dialog = page.getByTestId('export-dialog');
    await expect
      .poll(() => dialog.getByTestId('folder-path').inputValue())
      .toBe('~/.vessel-studio/projects');
    await dialog.getByTestId('folder-choose').click();
    await expect
      .poll(() => dialog.getByTestId('export-result').isVisible(), { timeout: 60_000 })
      .toBe(true);
    const dir = (await dialog.getByTestId('export-dir').textContent())!;
    expect(path.dirname(dir)).toBe(path.dirname(projectFile));
    const number = /\/(\d+)_/.exec(imageId)![1];
    const split = imageId.split('/')[0];
    const expected = `${split}/1st_manual/${number}_manual1.png`;
    expect(await dialog.getByTestId('export-files').locator('li').allTextContents()).toEqual([
      expected,
    ]);
    const written = await sharp(path.join(dir, expected)).metadata();
    expect([written.width, written.height]).toEqual([565, 584]);
    await saveScreenshot(page, 'open-export-3-exported');
    await dialog.getByRole('button', { name: 'Close' }).click();

    // After a reload the open dialog lists the project as recent.
    await page.reload();
    await expect
      .poll(() => page.getByTestId('project-location').textContent(), { timeout: 60_000 })
      .toBe(projectFile);
    await page.getByTestId('open-button').click();
    const recent = page
      .getByTestId('open-dialog')
      .locator(`[data-testid=recent-project][data-project="${projectFile}"]`);
    await expect.poll(() => recent.count()).toBe(1);
    expect(await recent.textContent()).toContain('DRIVE · 40 images');
    await page.keyboard.press('Escape');

    // With nothing open, the first screen lists it, and a click reopens it.
    await client.request('studio.close', {});
    await page.reload();
    const listed = page
      .getByTestId('first-screen')
      .locator(`[data-testid=recent-project][data-project="${projectFile}"]`);
    await expect.poll(() => listed.count(), { timeout: 60_000 }).toBe(1);
    await saveScreenshot(page, 'open-export-4-recent');
    await listed.getByRole('button', { name: /^DRIVE-/ }).click();
    await expect
      .poll(() => page.getByTestId('project-location').textContent(), { timeout: 120_000 })
      .toBe(projectFile);
  });
});
