/** The shell's own small settings file, userData/settings.json (last used project). */
import { promises as fs, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const settingsSchema = z.object({ lastProject: z.string().min(1).optional() }).loose();
export type ShellSettings = z.infer<typeof settingsSchema>;

export function settingsPath(userDataDir: string): string {
  return join(userDataDir, 'settings.json');
}

/** A missing or damaged settings file means defaults; it must never stop the app starting. */
export function readSettings(userDataDir: string): ShellSettings {
  try {
    const parsed = settingsSchema.safeParse(JSON.parse(readFileSync(settingsPath(userDataDir), 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Writes via a temp file and rename so a crash never leaves half a file. */
export async function writeSettings(userDataDir: string, settings: ShellSettings): Promise<void> {
  const file = settingsPath(userDataDir);
  await fs.mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify(settings, null, 2) + '\n', 'utf8');
  await fs.rename(temp, file);
}

export async function rememberProject(userDataDir: string, projectPath: string): Promise<void> {
  const current = readSettings(userDataDir);
  if (current.lastProject === projectPath) return;
  await writeSettings(userDataDir, { ...current, lastProject: projectPath });
}
