/**
 * Where the view settings (the contract's typed list, schemas and defaults in
 * src/shared/api/view-settings.ts, under the engine's names in view-settings.ts) are kept in
 * the project: one row per key, its value as JSON.
 * Reading is forgiving (defaults fill in what is missing or no longer valid, unknown keys are
 * skipped); saving is strict.
 */
import { AppError, describeIssues } from '../../../shared/result';
import type { ProjectDatabase } from './database';
import { now } from './records';
import { PROJECT_ERROR_CODES as CODES } from './types';
import {
  defaultViewSettings,
  viewSettingKeys,
  viewSettingSchemas,
  viewSettingsUpdateSchema,
  type ViewSettingKey,
  type ViewSettings,
} from './view-settings';

/** The saved settings; keys never saved (or saved in a shape no longer valid) get defaults. */
export async function getViewSettings(database: ProjectDatabase): Promise<ViewSettings> {
  const rows = await database.read((db) =>
    db.all<{ key: string; value: string }>('SELECT key, value FROM view_settings'),
  );
  const settings: Record<string, unknown> = { ...defaultViewSettings };
  for (const row of rows) {
    // A key an older or newer build saved that this one does not list is ignored, not an error.
    if (!(viewSettingKeys as string[]).includes(row.key)) continue;
    const schema = viewSettingSchemas[row.key as ViewSettingKey];
    const parsed = schema.safeParse(JSON.parse(row.value));
    if (parsed.success) settings[row.key] = parsed.data;
  }
  return settings as ViewSettings;
}

/** Saves some settings; refuses unknown keys and values outside their schema. */
export async function updateViewSettings(
  database: ProjectDatabase,
  update: Partial<ViewSettings>,
): Promise<ViewSettings> {
  // The contract already checked a request's settings; callers inside the engine were not.
  const parsed = viewSettingsUpdateSchema.safeParse(update);
  if (!parsed.success) {
    throw new AppError(
      CODES.BAD_INPUT,
      `Invalid view settings: ${describeIssues(parsed.error.issues)}`,
      parsed.error.issues,
    );
  }
  await database.write(async (db) => {
    const at = now();
    for (const [key, value] of Object.entries(parsed.data)) {
      await db.run(
        'INSERT INTO view_settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
        [key, JSON.stringify(value), at],
      );
    }
  });
  return getViewSettings(database);
}
