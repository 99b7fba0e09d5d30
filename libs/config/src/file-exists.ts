import { access } from 'node:fs/promises';

/** True when the file exists and can be accessed. */
export async function fileExists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
