/**
 * A small JSON file holding one list (recent files, recent projects): read through a schema, an
 * unreadable file set aside as `<file>.bad` (with a warning) rather than lost or fatal, and
 * written whole through a temporary file, so a crash mid-write never leaves half a list.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';

/** The list stored in `file` (`[]` when absent; set aside as .bad when it does not parse). */
export async function readJsonList<T>(
  file: string,
  schema: z.ZodType<T>,
  what: string,
): Promise<T | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // Falls through: not JSON.
  }
  console.warn(`${file} could not be read as a ${what}; kept as ${file}.bad`);
  await rename(file, `${file}.bad`).catch(() => undefined);
  return null;
}

/** Writes `content` as the file's JSON, atomically (temporary file, then rename). */
export async function writeJsonList(file: string, content: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(content, null, 2)}\n`);
  await rename(temporary, file);
}
